"""WeChat official-account protocol: message crypto, callback XML, API client. No models."""
