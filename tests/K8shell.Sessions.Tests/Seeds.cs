using System.Globalization;

namespace K8shell.Sessions.Tests;

/// <summary>
/// The seeded runs use a fixed seed so CI is repeatable; set <c>K8SHELL_TEST_SEED</c> to explore others.
/// Every failure message names the seed and the case, which replays it.
/// </summary>
internal static class Seeds
{
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("K8SHELL_TEST_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20261124;

    /// <summary>Splits <paramref name="data"/> at random places, empty pieces included, as a proxy's batches might.</summary>
    public static List<byte[]> RandomChunks(Random random, byte[] data, int maxChunk)
    {
        var chunks = new List<byte[]>();
        for (var at = 0; at < data.Length;)
        {
            var length = Math.Min(random.Next(0, maxChunk + 1), data.Length - at);
            chunks.Add(data[at..(at + length)]);
            at += length;
        }
        return chunks;
    }
}
