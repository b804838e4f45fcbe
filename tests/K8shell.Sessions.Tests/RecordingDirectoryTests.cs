using K8shell.Sessions.Recording;

namespace K8shell.Sessions.Tests;

public sealed class RecordingDirectoryTests
{
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../alice")]
    [InlineData("alice/../../etc")]
    [InlineData("/etc")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("line\nbreak")]
    [InlineData("del\u007f")]
    public void A_user_that_is_not_one_plain_path_segment_is_refused(string user)
    {
        using var scratch = new ScratchFolder();
        var recordings = new RecordingDirectory(scratch.Path);

        Assert.Throws<ArgumentException>("user", () => recordings.PathOf(user, RecordingDirectory.Shell, "x.cast"));
        Assert.Throws<ArgumentException>("kind", () => recordings.PathOf("alice", user, "x.cast"));
        Assert.Throws<ArgumentException>("name", () => recordings.PathOf("alice", RecordingDirectory.Shell, user));
        Assert.Empty(Directory.GetFileSystemEntries(scratch.Path));
    }

    [Fact]
    public void A_segment_longer_than_a_file_name_may_be_is_refused()
    {
        var recordings = new RecordingDirectory("/data");

        Assert.Equal("/data/recordings/alice/shell/" + new string('é', 127), recordings.PathOf("alice", "shell", new string('é', 127)));
        Assert.Throws<ArgumentException>("name", () => recordings.PathOf("alice", "shell", new string('é', 128)));
    }

    [Fact]
    public async Task Create_makes_private_folders_and_never_opens_an_existing_file()
    {
        using var scratch = new ScratchFolder();
        var recordings = new RecordingDirectory(scratch.Path);

        await using (var file = recordings.Create("alice@example.com", RecordingDirectory.Shell, RecordingDirectory.CastName("sh-p1-1-ab-1")))
        {
            Assert.Equal(Path.Combine(scratch.Path, "recordings/alice@example.com/shell/sh-p1-1-ab-1.cast"), file.Path);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
        }
        var folder = Path.Combine(scratch.Path, "recordings/alice@example.com/shell");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Throws<IOException>(() => recordings.Create("alice@example.com", RecordingDirectory.Shell, "sh-p1-1-ab-1.cast"));
    }

    [Theory]
    [InlineData("db.internal", 5432u, "p1-7-ab_db.internal_5432.pcap")]
    [InlineData("::1", 22u, "p1-7-ab_::1_22.pcap")]
    [InlineData("../../etc/passwd", 80u, "p1-7-ab_..%2F..%2Fetc%2Fpasswd_80.pcap")]
    [InlineData("a_b%c", 1u, "p1-7-ab_a%5Fb%25c_1.pcap")]
    [InlineData("bücher.example", 443u, "p1-7-ab_b%C3%BCcher.example_443.pcap")]
    public void Pcap_names_escape_what_the_client_chose(string host, uint port, string expected)
    {
        var name = RecordingDirectory.PcapName("p1-7-ab", host, port);

        Assert.Equal(expected, name);
        Assert.EndsWith(expected, new RecordingDirectory("/data").PathOf("alice", RecordingDirectory.Tcpip, name), StringComparison.Ordinal);
    }
}
