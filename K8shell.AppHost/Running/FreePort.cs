using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace K8shell.AppHost.Running;

/// <summary>
/// Random internal ports, as Aspire's run mode assigns them. A resource may start many seconds after its ports are
/// chosen (it waits for its dependencies), so a port is held open here until <see cref="Release"/> just before its
/// resource starts, and comes from below the kernel's ephemeral range: a port from that range, even unused, can be
/// handed to any process's outgoing connection in the meantime (seen in CI: "address already in use").
/// </summary>
internal static class FreePort
{
    private const int LowestPort = 10_000;
    private static readonly ConcurrentDictionary<int, TcpListener> Held = new();

    public static int Next()
    {
        var highest = FirstEphemeralPort() - 1;
        for (var attempt = 0; attempt < 1000 && highest > LowestPort; attempt++)
        {
            var port = Random.Shared.Next(LowestPort, highest + 1);
            if (!Held.ContainsKey(port) && TryHold(port))
            {
                return port;
            }
        }
        // No room below the ephemeral range on this machine: take one the kernel hands out, held all the same.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var given = ((IPEndPoint)listener.LocalEndpoint).Port;
        Held[given] = listener;
        return given;
    }

    /// <summary>Lets the resource that was given <paramref name="port"/> bind it; a port not held here is left alone.</summary>
    public static void Release(int port)
    {
        if (Held.TryRemove(port, out var listener))
        {
            listener.Stop();
        }
    }

    private static bool TryHold(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
        }
        catch (SocketException)
        {
            listener.Dispose();
            return false;
        }
        if (!Held.TryAdd(port, listener))
        {
            listener.Stop();
            return false;
        }
        return true;
    }

    /// <summary>The start of net.ipv4.ip_local_port_range (Linux's default 32768).</summary>
    private static int FirstEphemeralPort()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0],
                System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or FormatException)
        {
            return 32_768;
        }
    }
}
