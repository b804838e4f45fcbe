using K8shell.Testing;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>The gateway's log records as it exported them over OTLP, for one attacker's address.</summary>
internal static class ProxyLogs
{
    private const string Proxy = "ssh-proxy";

    /// <summary>Waits (the exporter batches) until <paramref name="count"/> records about <paramref name="source"/> contain <paramref name="text"/>; all records about it.</summary>
    public static async Task<IReadOnlyList<string>> WaitForAsync(StackFixture stack, string source, string text, int count = 1)
    {
        var found = await Eventually.WaitAsync(() => About(stack, source).Count(body => body.Contains(text, StringComparison.Ordinal)) >= count,
            TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var about = About(stack, source);
        Assert.True(found, $"fewer than {count} gateway log records about {source} say '{text}'; there are:\n{string.Join('\n', about.Select(Shorten))}");
        return about;
    }

    private static List<string> About(StackFixture stack, string source) =>
        [.. stack.Telemetry.Logs.Where(log => log.Service == Proxy && log.Body.Contains(source + ":", StringComparison.Ordinal)).Select(log => log.Body)];

    private static string Shorten(string body) => body.Length > 300 ? $"{body[..300]}... ({body.Length} characters)" : body;
}
