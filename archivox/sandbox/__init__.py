"""Local, contract-faithful stand-ins for the WeChat and Weibo servers and for a WeChat user.

Mounted at /sandbox/ only when ARCHIVOX_SANDBOX=1 (never in production); also served alone by
``python manage.py run_sandbox --port 8100``. Its state lives in its own tables."""
