"""Adapters over the core: Telegram (`telegram_app`, `render`) and the console chat (`console`).

They translate what a user did into an `common.messages.Incoming`, hand it to
`Assistant.handle`, and show the returned replies; they hold no business logic.
"""
