"""The transport-independent core of 防返贫监测帮扶助手.

Incoming messages (from Telegram or the console) become `Incoming` objects; `Assistant.handle`
routes them to the knowledge base or a dialog and returns `Reply` objects, which the adapters in
`handlers/` render. Nothing here imports `telegram`.
"""
