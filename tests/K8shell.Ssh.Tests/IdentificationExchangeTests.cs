using System.IO.Pipelines;
using System.Text;
using K8shell.Ssh.Transport;

namespace K8shell.Ssh.Tests;

public sealed class IdentificationExchangeTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static async Task<(SshIdentification Identification, string Left)> ReadAsync(string sent, bool close = true)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.Latin1.GetBytes(sent), Cancellation);
        if (close)
        {
            await pipe.Writer.CompleteAsync();
        }
        var identification = await IdentificationExchange.ReadAsync(pipe.Reader, Cancellation);
        var rest = await pipe.Reader.ReadAsync(Cancellation);
        return (identification, Encoding.Latin1.GetString(rest.Buffer));
    }

    [Fact]
    public async Task An_openssh_line_splits_into_version_software_and_comments_and_leaves_what_follows()
    {
        var (identification, left) = await ReadAsync("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n\0\0\x01\x0cKEXINIT...");

        Assert.Equal("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", identification.Line);
        Assert.Equal("2.0", identification.ProtocolVersion);
        Assert.Equal("OpenSSH_9.2p1", identification.SoftwareVersion);
        Assert.Equal("Debian-2+deb12u3", identification.Comments);
        Assert.Equal("\0\0\x01\x0cKEXINIT...", left);
    }

    [Fact]
    public async Task What_follows_the_line_is_readable_at_once_while_the_peer_waits_for_us()
    {
        // The client sends its KEXINIT right after the line, then waits for ours: the bytes it sent
        // must come back from the next read without waiting for more.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.2p1\r\nKEXINIT"), Cancellation);

        await IdentificationExchange.ReadAsync(pipe.Reader, Cancellation);
        var next = pipe.Reader.ReadAsync(Cancellation);

        Assert.True(next.IsCompleted, "the next read waits for bytes that already arrived");
        Assert.Equal("KEXINIT", Encoding.ASCII.GetString((await next).Buffer));
    }

    [Fact]
    public async Task Lines_before_the_identification_bare_lf_and_1_99_are_tolerated()
    {
        var (identification, _) = await ReadAsync("Welcome\r\nsecond line\nSSH-1.99-Legacy_1\n");
        Assert.Equal("2.0", identification.ProtocolVersion);
        Assert.Equal("Legacy_1", identification.SoftwareVersion);
        Assert.Null(identification.Comments);
    }

    [Fact]
    public async Task Non_ascii_comment_bytes_survive_exactly_for_the_exchange_hash()
    {
        var (identification, _) = await ReadAsync("SSH-2.0-Client_1 caf\xe9\r\n");
        Assert.Equal(Encoding.Latin1.GetBytes("SSH-2.0-Client_1 caf\xe9"), identification.LineBytes());
    }

    public static TheoryData<string, SshDisconnectReason, string> Refused => new()
    {
        { "SSH-1.5-Ancient\r\n", SshDisconnectReason.ProtocolVersionNotSupported, "protocol version 1.5 is not supported" },
        { "SSH-2.0-\r\n", SshDisconnectReason.ProtocolError, "software version" },
        { "SSH-2.0\r\n", SshDisconnectReason.ProtocolError, "no software version" },
        { "SSH-2.0-Evil\0Client\r\n", SshDisconnectReason.ProtocolError, "NUL byte" },
        { "SSH-2.0-" + new string('x', 250) + "\r\n", SshDisconnectReason.ProtocolError, "longer than 255" },
        { string.Concat(Enumerable.Repeat("noise\r\n", 1025)) + "SSH-2.0-Late_1\r\n", SshDisconnectReason.ProtocolError, "within 1024 lines" },
        { "SSH-2.0-Half", SshDisconnectReason.ConnectionLost, "closed before the identification" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Bad_identifications_end_with_a_precise_reason(string sent, SshDisconnectReason reason, string message)
    {
        var error = await Assert.ThrowsAsync<SshProtocolException>(() => ReadAsync(sent));
        Assert.Equal(reason, error.Reason);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task A_line_without_end_is_refused_once_it_exceeds_the_limit_not_buffered_forever()
    {
        // The peer never closes and never sends LF: the limit, not the connection's end, stops it.
        var error = await Assert.ThrowsAsync<SshProtocolException>(() => ReadAsync(new string('A', 300), close: false));
        Assert.Contains("longer than 255", error.Message);
    }

    [Fact]
    public void The_server_identification_is_ssh_2_0_with_our_software_version()
    {
        var ours = SshIdentification.ForServer("K8shell_0.1.0");
        Assert.Equal("SSH-2.0-K8shell_0.1.0\r\n", Encoding.ASCII.GetString(ours.ToWire()));
        Assert.Throws<ArgumentException>(() => SshIdentification.ForServer("K8shell 0.1"));
    }
}
