# The WeChat callback as issue 17's probe reached it (tests/security/wechat_probe.py).
from tests.security.wechat_probe import account, user_for  # noqa: F401
