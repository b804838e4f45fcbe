using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh.Wire;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>The system sftp-server behind the Sftp call, spoken to in SFTP v3 (draft-ietf-secsh-filexfer-02) as a client would.</summary>
public sealed class SftpTests(DaemonFixture daemon)
{
    private const byte Init = 1, Open = 3, Close = 4, Write = 6, Realpath = 16;
    private const byte Version = 2, Status = 101, Handle = 102, Name = 104;
    private const uint WriteCreateTruncate = 0x02 | 0x08 | 0x10;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sftp_runs_the_system_server_in_the_users_home_and_writes_files()
    {
        using var call = daemon.Processes().Sftp(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new ProcessRequest { Start = new ProcessStart { SessionId = "proxy-1-aa", StreamId = "sf-proxy-1-aa1" } }, Cancellation);
        var responses = call.ResponseStream;
        Assert.True(await responses.MoveNext(Cancellation));
        Assert.Equal("/usr/lib/openssh/sftp-server", responses.Current.Started.Program);
        var client = new SftpPackets(request => call.RequestStream.WriteAsync(new ProcessRequest { Stdin = ByteString.CopyFrom(request) }, Cancellation),
            async () => (await responses.MoveNext(Cancellation) ? responses.Current.Stdout : ByteString.Empty).ToByteArray());

        var (type, version) = await client.RequestAsync(Init, w => w.WriteUInt32(3));
        Assert.Equal((Version, 3u), (type, BinaryPrimitives.ReadUInt32BigEndian(version)));

        (type, var name) = await client.RequestAsync(Realpath, w =>
        {
            w.WriteUInt32(1);
            w.WriteUtf8(".");
        });
        Assert.Equal(Name, type);
        Assert.Equal(daemon.Home, Encoding.UTF8.GetString(name.AsSpan(12, BinaryPrimitives.ReadInt32BigEndian(name.AsSpan(8)))));

        (type, var handle) = await client.RequestAsync(Open, w =>
        {
            w.WriteUInt32(2);
            w.WriteUtf8("sftp-probe.txt");
            w.WriteUInt32(WriteCreateTruncate);
            w.WriteUInt32(0);
        });
        Assert.Equal(Handle, type);
        var handleBytes = handle.AsSpan(8, BinaryPrimitives.ReadInt32BigEndian(handle.AsSpan(4))).ToArray();
        (type, var written) = await client.RequestAsync(Write, w =>
        {
            w.WriteUInt32(3);
            w.WriteString(handleBytes);
            w.WriteUInt64(0);
            w.WriteUtf8("through sftp-server\n");
        });
        Assert.Equal((Status, 0u), (type, BinaryPrimitives.ReadUInt32BigEndian(written.AsSpan(4))));
        (type, _) = await client.RequestAsync(Close, w =>
        {
            w.WriteUInt32(4);
            w.WriteString(handleBytes);
        });
        Assert.Equal(Status, type);

        Assert.Equal("through sftp-server\n", await File.ReadAllTextAsync(Path.Combine(daemon.Home, "sftp-probe.txt"), Cancellation));
        await call.RequestStream.WriteAsync(new ProcessRequest { StdinEof = new StdinEof() }, Cancellation);
        while (await responses.MoveNext(Cancellation) && responses.Current.MessageCase != ProcessResponse.MessageOneofCase.Exit)
        {
        }
        Assert.Equal(0u, responses.Current.Exit.ExitStatus);
    }

    /// <summary>SFTP packets (uint32 length, type, body) over the call's stdin and stdout.</summary>
    private sealed class SftpPackets(Func<byte[], Task> send, Func<Task<byte[]>> receive)
    {
        private readonly List<byte> _received = [];

        public async Task<(byte Type, byte[] Body)> RequestAsync(byte type, Action<SshWriter> body)
        {
            // SFTP frames a packet as SSH frames a string: uint32 length, then type and body.
            await send(SshWriter.Serialize(frame => frame.WriteString(SshWriter.Serialize(packet =>
            {
                packet.WriteByte(type);
                body(packet);
            }))));
            while (_received.Count < 4 || _received.Count < 4 + BinaryPrimitives.ReadInt32BigEndian(_received.ToArray()))
            {
                var chunk = await receive();
                Assert.NotEmpty(chunk);
                _received.AddRange(chunk);
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(_received.ToArray());
            var response = _received.Skip(4).Take(length).ToArray();
            _received.RemoveRange(0, 4 + length);
            return (response[0], response[1..]);
        }
    }
}
