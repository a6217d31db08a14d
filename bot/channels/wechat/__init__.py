"""The WeChat Official Account (公众号) channel: verify → decrypt → parse → pipeline → passive reply.

``crypto`` checks signatures and does AES, ``parse`` turns WeChat XML into ``dialogs.Inbound``,
``adapter`` holds the aiohttp handlers, ``client`` the outbound API, ``window`` the customer-service
window, ``sender`` the notifier's sender, ``cli`` the ``minyi wechat`` commands.
"""

from bot.channels.wechat.adapter import setup

__all__ = ["setup"]
