using System.Buffers;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Tests;

public sealed class WireFormatTests
{
    [Fact]
    public void Fields_written_read_back_in_order()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new SshWriter(buffer);
        writer.WriteByte((byte)SshMessageNumber.ChannelRequest);
        writer.WriteUInt32(0xdeadbeef);
        writer.WriteUInt64(1UL << 40);
        writer.WriteBoolean(true);
        writer.WriteUtf8("exec ünïcode");
        writer.WriteNameList(["curve25519-sha256", "ext-info-s"]);
        writer.WriteString([]);

        var reader = new SshReader(buffer.WrittenSpan);
        Assert.Equal((byte)SshMessageNumber.ChannelRequest, reader.ReadByte());
        Assert.Equal(0xdeadbeefu, reader.ReadUInt32());
        Assert.Equal(1UL << 40, reader.ReadUInt64());
        Assert.True(reader.ReadBoolean());
        Assert.Equal("exec ünïcode", reader.ReadUtf8());
        Assert.Equal(["curve25519-sha256", "ext-info-s"], reader.ReadNameList());
        Assert.Equal([], reader.ReadNameList());
        reader.EnsureAtEnd("test message");
    }

    // RFC 4251 §5's mpint examples (the non-negative ones).
    [Theory]
    [InlineData("", "00000000", "")]
    [InlineData("09a378f9b2e332a7", "0000000809a378f9b2e332a7", "09a378f9b2e332a7")]
    [InlineData("80", "000000020080", "80")]
    [InlineData("000080", "000000020080", "80")]
    public void Unsigned_mpints_encode_as_rfc_4251_shows_and_read_back_minimal(string magnitude, string wire, string readBack)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new SshWriter(buffer).WriteUnsignedMPInt(Convert.FromHexString(magnitude));
        Assert.Equal(wire, Convert.ToHexString(buffer.WrittenSpan).ToLowerInvariant());

        var reader = new SshReader(buffer.WrittenSpan);
        Assert.Equal(readBack, Convert.ToHexString(reader.ReadUnsignedMPInt()).ToLowerInvariant());
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "00000005616263", "string: length 5 exceeds the 3 bytes left" },
        { "000000", "uint32: needs 4 bytes, 3 left" },
        { "00000001ff", "mpint: negative" },
        { "000000020001", "mpint: leading zero byte not needed" },
        { "00000003612c2c", "name-list: empty name" },
        { "0000000361206200", "name-list: names are printable US-ASCII" },
        { "00000002c328", "UTF-8 string" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_fields_are_refused_as_protocol_errors(string hex, string expected)
    {
        var bytes = Convert.FromHexString(hex);
        var error = Assert.Throws<SshProtocolException>(() =>
        {
            var reader = new SshReader(bytes);
            switch (expected)
            {
                case var e when e.StartsWith("mpint"): reader.ReadUnsignedMPInt(); break;
                case var e when e.StartsWith("name-list"): reader.ReadNameList(); break;
                case var e when e.StartsWith("UTF-8"): reader.ReadUtf8(); break;
                case var e when e.StartsWith("uint32"): reader.ReadUInt32(); break;
                default: reader.ReadString(); break;
            }
        });
        Assert.Equal(SshDisconnectReason.ProtocolError, error.Reason);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_last_field_are_refused()
    {
        var error = Assert.Throws<SshProtocolException>(() =>
        {
            var reader = new SshReader([1, 2, 3]);
            reader.ReadByte();
            reader.EnsureAtEnd("SSH_MSG_IGNORE");
        });
        Assert.Contains("SSH_MSG_IGNORE: 2 unexpected trailing bytes", error.Message);
    }
}
