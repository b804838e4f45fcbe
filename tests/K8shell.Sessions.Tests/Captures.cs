namespace K8shell.Sessions.Tests;

/// <summary>Packets of a capture as <c>tshark -r</c> reads them (checksums validated), with what its expert analysis says of each.</summary>
internal static class Captures
{
    // Wireshark's expert severities (epan/proto.h): PI_WARN and PI_ERROR.
    public const int Warning = 0x00600000;
    public const int Error = 0x00800000;

    private static readonly string[] Fields =
        ["tcp.stream", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.flags", "tcp.seq", "tcp.ack", "tcp.payload", "_ws.expert.severity", "_ws.expert.message"];

    public sealed record Packet(string Stream, string From, string To, string Flags, long Sequence, byte[] Payload, (int Severity, string Message)[] Expert);

    /// <summary>Every packet; payloads to and from <paramref name="dataPorts"/> are decoded as plain data.</summary>
    public static async Task<List<Packet>> ReadAsync(string path, IEnumerable<int> dataPorts, CancellationToken cancellationToken)
    {
        var lines = await Programs.TsharkFieldsAsync(path, dataPorts, Fields, cancellationToken);
        return lines.Select(f =>
        {
            var severities = f[9].Split('|', StringSplitOptions.RemoveEmptyEntries).Select(Severity).ToArray();
            var messages = f[10].Split('|', StringSplitOptions.RemoveEmptyEntries);
            return new Packet(f[0], $"{f[1]}:{f[2]}", $"{f[3]}:{f[4]}", f[5], long.Parse(f[6], System.Globalization.CultureInfo.InvariantCulture),
                Convert.FromHexString(f[8].Replace(":", "", StringComparison.Ordinal)), severities.Zip(messages).ToArray());
        }).ToList();
    }

    /// <summary>The bytes the packets carry, in order.</summary>
    public static byte[] Payload(IEnumerable<Packet> packets) => packets.SelectMany(p => p.Payload).ToArray();

    public static void AssertNoWarnings(IReadOnlyList<Packet> packets)
    {
        var flagged = packets.Select((p, i) => (Number: i + 1, p.Expert)).Where(p => p.Expert.Any(e => e.Severity >= Warning)).ToList();
        Assert.True(flagged.Count == 0, $"seed {Seeds.Seed}: tshark flags "
            + string.Join("; ", flagged.Take(5).Select(f => $"frame {f.Number}: {string.Join(", ", f.Expert.Select(e => e.Message))}")));
    }

    /// <summary>tshark prints the severity as a number, decimal or (some versions) 0x-prefixed hex.</summary>
    private static int Severity(string shown) =>
        shown.StartsWith("0x", StringComparison.Ordinal) ? Convert.ToInt32(shown, 16) : int.Parse(shown, System.Globalization.CultureInfo.InvariantCulture);
}
