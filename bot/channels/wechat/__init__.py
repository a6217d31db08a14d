"""The WeChat Official Account (公众号) channel: verify → decrypt → parse → pipeline → passive reply.

``crypto`` checks signatures and does AES, ``parse`` turns WeChat XML into ``dialogs.Inbound``,
``adapter`` holds the aiohttp handlers, ``client`` the outbound API, ``window`` the customer-service
window (counted here, once, for replies and notices alike), ``sender`` the notices' sender,
``settings``, ``cli`` the ``minyi wechat`` commands.
"""
