namespace K8shell.SshProxy.Admission.ProxyProtocol;

/// <summary>A PROXY header that must not be accepted (malformed, oversized, truncated, or from an untrusted peer); the caller logs it and closes.</summary>
internal sealed class ProxyProtocolException(string message) : IOException(message);
