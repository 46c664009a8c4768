"""Guided dialogs (resident self-report, cadre household visit), declared in YAML."""
