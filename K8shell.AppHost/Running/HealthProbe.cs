using System.Net.Sockets;

namespace K8shell.AppHost.Running;

/// <summary>One look at whether a resource is healthy; polled until it says yes.</summary>
internal delegate Task<bool> HealthProbe(HttpClient http, CancellationToken cancellationToken);

/// <summary>The probes behind the model's health-check annotations.</summary>
internal static class HealthProbes
{
    /// <summary>GET answers 2xx.</summary>
    public static HealthProbe Http(Uri url) => async (http, cancellationToken) =>
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false; // Not listening yet, or the request timed out.
        }
    };

    /// <summary>Accepts a connection and greets with <paramref name="greeting"/> (NATS sends its INFO line once it serves clients).</summary>
    public static HealthProbe TcpGreeting(Uri endpoint, string greeting) => async (_, cancellationToken) =>
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
            using var reader = new StreamReader(client.GetStream());
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            var line = await reader.ReadLineAsync(timeout.Token);
            return line?.StartsWith(greeting, StringComparison.Ordinal) == true;
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    };
}
