"""The service hall's writes and side effects, one module per stage:

- ``share``: the JS-SDK share card of a portal page opened in WeChat's browser (the jsapi_ticket
  is fetched here when no process holds a live one);
- ``records``: records-use requests' status changes to a known follower in WeChat.
"""
