"""zh-CN translations of the web app (messages.po and .mo are built from zh_CN.py)."""
