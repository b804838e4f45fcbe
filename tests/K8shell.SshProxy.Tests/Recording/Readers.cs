using K8shell.Testing;

namespace K8shell.SshProxy.Tests.Recording;

/// <summary>tshark, the real reader captures are made for (casts: <see cref="Asciinema"/>).</summary>
internal static class Readers
{
    /// <summary>
    /// The TCP payloads <c>tshark -r</c> reads from a capture (checksums checked), joined per direction: towards
    /// <paramref name="destinationPort"/> (the client's bytes) and from it. Payloads are decoded as plain data.
    /// </summary>
    public static async Task<(byte[] ToDestination, byte[] FromDestination)> TsharkPayloadsAsync(string pcapPath, int destinationPort, CancellationToken cancellationToken)
    {
        var (exitCode, output, errors) = await Programs.RunAsync("tshark",
            ["-r", pcapPath, "-n", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-d", $"tcp.port=={destinationPort},data",
             "-T", "fields", "-e", "tcp.dstport", "-e", "data.data"], cancellationToken: cancellationToken);
        Assert.True(exitCode == 0, $"tshark -r {pcapPath} failed ({exitCode}): {errors}");
        using var toDestination = new MemoryStream();
        using var fromDestination = new MemoryStream();
        foreach (var fields in output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')))
        {
            if (fields is [var port, { Length: > 0 } data])
            {
                (port == destinationPort.ToString() ? toDestination : fromDestination).Write(Convert.FromHexString(data));
            }
        }
        return (toDestination.ToArray(), fromDestination.ToArray());
    }
}
