using System.Net.Sockets;

namespace K8shell.EndToEnd.Tests;

/// <summary>Talks lines to a <see cref="WorkspaceServer"/> over any stream: the greeting, then an echo in upper case.</summary>
public static class LineClient
{
    public static async Task<string> ConverseAsync(Stream stream, string line)
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var reader = new StreamReader(stream, leaveOpen: true);
        var greeting = await reader.ReadLineAsync(cancellation);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(line + "\n"), cancellation);
        await stream.FlushAsync(cancellation);
        return $"{greeting}|{await reader.ReadLineAsync(cancellation)}";
    }

    /// <summary>Connects to a local port that a forward may not be listening on yet.</summary>
    public static async Task<TcpClient> ConnectAsync(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
                return client;
            }
            catch (SocketException) when (attempt < 100)
            {
                client.Dispose();
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }
}

/// <summary>
/// Many lines over one stream, read through one reader: a reader per line could buffer the next reply and lose it
/// with itself.
/// </summary>
public sealed class LineConversation(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, leaveOpen: true);

    public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync(TestContext.Current.CancellationToken);

    /// <summary>Sends <paramref name="line"/> and returns the line that answers it.</summary>
    public async Task<string?> AskAsync(string line)
    {
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(line + "\n"), TestContext.Current.CancellationToken);
        await stream.FlushAsync(TestContext.Current.CancellationToken);
        return await ReadLineAsync();
    }

    public void Dispose() => _reader.Dispose();
}
