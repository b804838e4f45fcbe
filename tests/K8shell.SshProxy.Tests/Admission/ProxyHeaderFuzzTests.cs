using System.Net;
using K8shell.SshProxy.Admission.ProxyProtocol;
using K8shell.Testing.Fuzzing;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>
/// Seeded, time-bounded fuzzing (<see cref="FuzzRun"/>) of the PROXY header step, the first code every TCP peer
/// reaches: valid v1 and v2 headers mutated, spliced and followed by an identification, fed in reads of random
/// sizes, from trusted and untrusted peers. The only acceptable outcomes are a stream whose bytes are what the
/// peer sent after any header, or a <see cref="ProxyProtocolException"/> with a message (the connection handler
/// logs it and closes); never another exception, never a hang.
/// </summary>
public sealed class ProxyHeaderFuzzTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 40000);
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    private static readonly byte[][] Seeds =
    [
        "PROXY TCP4 203.0.113.7 192.0.2.1 51234 22\r\n"u8.ToArray(),
        "PROXY TCP6 2001:db8::7 2001:db8::1 40000 22\r\n"u8.ToArray(),
        "PROXY TCP6 ::ffff:203.0.113.8 ::ffff:192.0.2.1 40001 22\r\n"u8.ToArray(),
        "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"u8.ToArray(),
        ProxyHeaders.V2(1, 0x11, [203, 0, 113, 50, 192, 0, 2, 1, 0xC3, 0x50, 0, 22, 0x01, 0, 2, (byte)'h', (byte)'2', 0x04, 0, 3, 0, 0, 0]),
        ProxyHeaders.V2(1, 0x21, [.. IPAddress.Parse("2001:db8:1::42").GetAddressBytes(), .. IPAddress.Parse("2001:db8:2::1").GetAddressBytes(), 0x1F, 0x90, 0, 22]),
        ProxyHeaders.V2(0, 0x00, []),
        ProxyHeaders.V2(1, 0x31, new byte[216]),
    ];

    private static readonly byte[] Identification = "SSH-2.0-OpenSSH_9.2\r\n"u8.ToArray();

    private static readonly ProxyHeaderReader Reader =
        new(Options.Create(new ProxyProtocolOptions { TrustedNetworks = ["127.0.0.0/8"], HeaderTimeout = Hang }), TimeProvider.System);

    private static readonly ProxyHeaderReader Untrusting =
        new(Options.Create(new ProxyProtocolOptions { TrustedNetworks = ["10.0.0.0/8"], HeaderTimeout = Hang }), TimeProvider.System);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Mutated_headers_in_random_reads_give_the_bytes_after_the_header_or_a_proxy_protocol_error()
    {
        var run = FuzzRun.Start("PROXY header reader", fixedSeed: 20261124);
        var refused = 0;
        while (run.Next())
        {
            var input = Input(run.Random);
            var trusted = run.Random.Next(4) != 0;
            var stream = new ChunkedStream(input, run.Random, maxChunk: run.Random.Next(2) == 0 ? 3 : 512);
            try
            {
                var result = await (trusted ? Reader : Untrusting).ReadAsync(stream, Peer, Cancellation).AsTask().WaitAsync(Hang, Cancellation);
                var rest = await DrainAsync(result.Rest).WaitAsync(Hang, Cancellation);
                Assert.True(input.AsSpan().EndsWith(rest), $"{run}: the stream after the header is not what the peer sent after it\n"
                    + $"input {Convert.ToHexString(input)}\nrest  {Convert.ToHexString(rest)}");
                Assert.True(result.FromHeader || rest.Length == input.Length || trusted, $"{run}: bytes of an untrusted peer were dropped: {Convert.ToHexString(input)}");
            }
            catch (ProxyProtocolException error)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Message), $"{run}: a refusal without a message on {Convert.ToHexString(input)}");
                refused++;
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{run}: {(trusted ? "trusted" : "untrusted")} peer's input hangs the reader: {Convert.ToHexString(input)}");
            }
            catch (Exception unexpected)
            {
                Assert.Fail($"{run}: {unexpected.GetType().Name} from a {(trusted ? "trusted" : "untrusted")} peer's input {Convert.ToHexString(input)}\n{unexpected}");
            }
        }

        // Both outcomes must be reached, or the mutations miss half the code.
        Assert.True(refused > run.Cases / 20 && refused < run.Cases * 19 / 20, $"{run}: {refused} of {run.Cases} inputs refused");
    }

    /// <summary>A seed mutated, sometimes twice, sometimes with another header or an identification after it.</summary>
    private static byte[] Input(Random random)
    {
        var input = Seeds[random.Next(Seeds.Length)];
        for (var rounds = random.Next(3); rounds > 0; rounds--)
        {
            input = ByteMutations.Mutate(input, random);
        }
        return random.Next(3) switch
        {
            0 => [.. input, .. Identification],
            1 => [.. input, .. Seeds[random.Next(Seeds.Length)]],
            _ => input,
        };
    }

    private static async Task<byte[]> DrainAsync(Stream stream)
    {
        var all = new MemoryStream();
        await stream.CopyToAsync(all, Cancellation);
        return all.ToArray();
    }
}
