using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>
/// Connections a Listen call accepted, waiting for the proxy to claim them with Accept (it first has
/// to open a forwarded channel to the SSH client). An unclaimed connection is closed after
/// <see cref="ClaimTimeout"/> or when its listener closes, so nothing piles up when the client never answers.
/// </summary>
internal sealed class PendingConnections(ILogger<PendingConnections> logger) : IDisposable
{
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Waiting> _waiting = new();

    /// <summary>
    /// Keeps <paramref name="connection"/> until claimed, expired or <paramref name="listenerClosed"/>;
    /// returns the id to claim it by, unguessable so one caller cannot take another's connection.
    /// </summary>
    public string Add(Socket connection, string listener, CancellationToken listenerClosed)
    {
        var id = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var waiting = new Waiting(connection, listener);
        _waiting[id] = waiting;
        waiting.Expiry = new Timer(_ => Drop(id, "not claimed in time"), null, ClaimTimeout, Timeout.InfiniteTimeSpan);
        waiting.ListenerClosed = listenerClosed.Register(() => Drop(id, "its listener closed"));
        return id;
    }

    /// <summary>The connection for <paramref name="id"/>, now the caller's to close; null if unknown, expired or claimed already.</summary>
    public Socket? Claim(string id)
    {
        if (!_waiting.TryRemove(id, out var waiting))
        {
            return null;
        }
        waiting.StopWaiting();
        logger.LogInformation("Connection {ConnectionId} to {Listener} claimed", id, waiting.Listener);
        return waiting.Connection;
    }

    private void Drop(string id, string why)
    {
        if (_waiting.TryRemove(id, out var waiting))
        {
            waiting.StopWaiting();
            waiting.Connection.Dispose();
            logger.LogInformation("Closed connection {ConnectionId} to {Listener}: {Reason}", id, waiting.Listener, why);
        }
    }

    public void Dispose()
    {
        foreach (var id in _waiting.Keys)
        {
            Drop(id, "the daemon is stopping");
        }
    }

    private sealed class Waiting(Socket connection, string listener)
    {
        public Socket Connection => connection;

        public string Listener => listener;

        public Timer? Expiry { get; set; }

        public CancellationTokenRegistration ListenerClosed { get; set; }

        public void StopWaiting()
        {
            Expiry?.Dispose();
            // Unregister, not Dispose: this may run inside the listener's own cancellation callback.
            ListenerClosed.Unregister();
        }
    }
}
