using System.Buffers;
using System.IO.Pipelines;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;
using K8shell.Ssh.Transport.Packets;
using K8shell.Ssh.Wire;
using K8shell.Testing.Fuzzing;

namespace K8shell.Ssh.Tests;

/// <summary>
/// A seeded, time-bounded fuzzer for every decoder a peer can reach: valid messages mutated
/// (<see cref="ByteMutations"/>) and random bytes, for as long as <see cref="FuzzRun"/> allows. The only acceptable failures
/// are the library's own, which become a disconnect reason; anything else would take down a
/// connection's code with an unexpected exception. A failing seed is printed to replay.
/// </summary>
public sealed class DecoderFuzzTests
{
    public static TheoryData<string> Decoders => [.. Targets.Keys];

    private static readonly Dictionary<string, (byte[] Seed, Action<byte[]> Decode)> Targets = new()
    {
        ["KEXINIT"] = (SshWriter.Serialize(KexInitMessage.ForServer(AlgorithmNames.ServerHostKeys).WriteTo), bytes => KexInitMessage.Parse(bytes)),
        ["USERAUTH_REQUEST publickey"] = (SignedPublicKeyRequest(), bytes => UserAuthRequest.Parse(bytes, new byte[32], 1024)),
        ["USERAUTH_REQUEST password"] = (SshWriter.Serialize(w =>
        {
            w.WriteByte((byte)SshMessageNumber.UserAuthRequest);
            w.WriteUtf8("alice");
            w.WriteUtf8("ssh-connection");
            w.WriteUtf8("password");
            w.WriteBoolean(false);
            w.WriteUtf8("secret");
        }), bytes => UserAuthRequest.Parse(bytes, new byte[32], 1024)),
        ["pty-req"] = (SshWriter.Serialize(w =>
        {
            w.WriteUtf8("xterm-256color");
            w.WriteUInt32(80);
            w.WriteUInt32(24);
            w.WriteUInt32(0);
            w.WriteUInt32(0);
            w.WriteString([1, 0, 0, 0, 3, 53, 0, 0, 0, 1, 0]);
        }), bytes => PtyRequest.Parse(bytes).DecodeTerminalModes()),
        ["direct-tcpip"] = (SshWriter.Serialize(w =>
        {
            w.WriteUtf8("localhost");
            w.WriteUInt32(8080);
            w.WriteUtf8("127.0.0.1");
            w.WriteUInt32(50000);
        }), bytes => DirectTcpipRequest.Parse(bytes)),
        ["direct-streamlocal"] = (SshWriter.Serialize(w => w.WriteUtf8("/run/app.sock")), bytes => DirectStreamLocalRequest.Parse(bytes)),
        ["user public key signature"] = (SignedPublicKeyRequest(), bytes =>
        {
            var key = UserPublicKey.TryParse(AlgorithmNames.Ed25519, bytes);
            key?.Verify(AlgorithmNames.Ed25519, bytes, bytes);
        }),
        ["plain packet"] = ([0, 0, 0, 12, 4, 20, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0], bytes => ReadPacket(bytes)),
    };

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Mutated_input_fails_only_with_the_libraries_own_errors(string decoder)
    {
        var (seed, decode) = Targets[decoder];
        var run = FuzzRun.Start(decoder, fixedSeed: 20261123);
        while (run.Next())
        {
            var input = ByteMutations.Mutate(seed, run.Random);
            try
            {
                decode(input);
            }
            catch (Exception expected) when (expected is SshProtocolException or FormatException)
            {
            }
            catch (Exception unexpected)
            {
                Assert.Fail($"{run}: {unexpected.GetType().Name} on input {Convert.ToHexString(input)}\n{unexpected}");
            }
        }
        Assert.True(run.Cases > 1000, $"{run}: only {run.Cases} cases ran");
    }

    /// <summary>Inputs the fuzzer found crashing a decoder, kept so the bug stays fixed.</summary>
    [Theory]
    [InlineData("")] // UserAuthRequest.Parse sliced past the message number of an empty payload
    public void Inputs_that_once_crashed_a_decoder_are_protocol_errors(string hex)
    {
        Assert.Throws<SshProtocolException>(() => UserAuthRequest.Parse(Convert.FromHexString(hex), new byte[32], 1024));
    }

    [Fact]
    public void Host_key_files_fail_only_with_format_errors()
    {
        using var key = Ed25519HostKey.Generate();
        var text = OpenSshKeyFile.Format(key, "fuzz");
        var body = Convert.FromBase64String(string.Concat(text.Split('\n')[1..^2]));
        var run = FuzzRun.Start("host key file", fixedSeed: 7);
        while (run.Next())
        {
            var mutated = ByteMutations.Mutate(body, run.Random);
            var file = $"-----BEGIN OPENSSH PRIVATE KEY-----\n{Convert.ToBase64String(mutated)}\n-----END OPENSSH PRIVATE KEY-----\n";
            try
            {
                OpenSshKeyFile.Parse(file);
            }
            catch (FormatException)
            {
            }
            catch (Exception unexpected)
            {
                Assert.Fail($"{run}: {unexpected.GetType().Name} on key body {Convert.ToHexString(mutated)}\n{unexpected}");
            }
        }
    }

    private static void ReadPacket(byte[] bytes)
    {
        var pipe = new Pipe();
        pipe.Writer.Write(bytes);
        pipe.Writer.Complete();
        using var packet = new PacketReader(pipe.Reader).ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private static byte[] SignedPublicKeyRequest()
    {
        using var key = Ed25519HostKey.Generate();
        return SshWriter.Serialize(w =>
        {
            w.WriteByte((byte)SshMessageNumber.UserAuthRequest);
            w.WriteUtf8("alice");
            w.WriteUtf8("ssh-connection");
            w.WriteUtf8("publickey");
            w.WriteBoolean(true);
            w.WriteUtf8(AlgorithmNames.Ed25519);
            w.WriteString(key.PublicKeyBlob);
            w.WriteString(key.Sign(AlgorithmNames.Ed25519, "data"u8));
        });
    }
}
