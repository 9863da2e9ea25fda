"""Weibo open API v2: the client (``client``), its typed errors (``errors``) and the platform's
documented limits (``rules``)."""
