"""Staff review of submissions: who may see what (`access`), the queue and status workflow
(`workflow`), Excel/CSV export (`export`), statistics charts (`charts`) and the audit log.
Transport-independent: Telegram and the CLI call into it."""
