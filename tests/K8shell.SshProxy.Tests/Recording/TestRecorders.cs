using System.Diagnostics.Metrics;
using System.Text;
using K8shell.SshProxy.Recording;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8shell.SshProxy.Tests.Recording;

/// <summary>A connection's recorders as the proxy makes them, calling Sessions at the address a test chooses, and the bytes tests record.</summary>
internal static class TestRecorders
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static ChannelRecorders For(SessionsFixture fixture, string sessionId, RecordingOptions options, Uri? sessions = null) =>
        new(fixture.Recordings(sessions), sessionId, fixture.UserTokenAsync, options, new RecordingMetrics(Meters),
            NullLogger<ChannelRecording>.Instance, TimeProvider.System);

    /// <summary>What a busy terminal prints: lines of ASCII and multi-byte UTF-8, with CR LF.</summary>
    public static byte[] TerminalBytes(Random random, int length)
    {
        string[] words = ["ls", "-la", "€uro", "naïve", "日本語", "build", "\u001b[1;32mok\u001b[0m", "🚀", "tab\tbed"];
        var text = new StringBuilder();
        while (Encoding.UTF8.GetByteCount(text.ToString()) < length)
        {
            text.Append(words[random.Next(words.Length)]).Append(random.Next(8) == 0 ? "\r\n" : " ");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The bytes cut at random places (inside characters too), as a channel delivers them.</summary>
    public static List<byte[]> Chunks(Random random, byte[] bytes, int maxChunk)
    {
        var chunks = new List<byte[]>();
        for (var at = 0; at < bytes.Length;)
        {
            var length = Math.Min(bytes.Length - at, random.Next(1, maxChunk + 1));
            chunks.Add(bytes[at..(at + length)]);
            at += length;
        }
        return chunks;
    }
}
