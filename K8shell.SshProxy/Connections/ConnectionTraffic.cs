using System.Collections.Concurrent;

namespace K8shell.SshProxy.Connections;

/// <summary>
/// Bytes in and out over every channel of a connection, and the operation codes it used (SPEC.md §5); the bytes
/// also go to the proxy's byte counter when <paramref name="telemetry"/> is given (the channel tests leave it out).
/// </summary>
internal sealed class ConnectionTraffic(ProxyTelemetry? telemetry = null)
{
    public const string Shell = "sh";
    public const string Pty = "pt";
    public const string Exec = "ex";
    public const string Sftp = "sf";
    public const string PortForward = "pf";
    public const string UnixSocket = "ux";
    public const string AgentForward = "af";

    private readonly ConcurrentDictionary<string, bool> _operations = new();
    private long _bytesIn;
    private long _bytesOut;

    /// <summary>Bytes from the client.</summary>
    public ulong BytesIn => (ulong)Interlocked.Read(ref _bytesIn);

    /// <summary>Bytes to the client.</summary>
    public ulong BytesOut => (ulong)Interlocked.Read(ref _bytesOut);

    /// <summary>Sorted, unique.</summary>
    public IReadOnlyList<string> Operations => [.. _operations.Keys.Order(StringComparer.Ordinal)];

    public void AddIn(int bytes)
    {
        Interlocked.Add(ref _bytesIn, bytes);
        telemetry?.BytesReceived(bytes);
    }

    public void AddOut(int bytes)
    {
        Interlocked.Add(ref _bytesOut, bytes);
        telemetry?.BytesTransmitted(bytes);
    }

    public void AddOperation(string code) => _operations.TryAdd(code, true);
}
