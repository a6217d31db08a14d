"""The running service: the aiohttp app, the channel adapters and the pipeline that drives dialogs."""
