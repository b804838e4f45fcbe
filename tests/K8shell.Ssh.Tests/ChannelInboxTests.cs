using System.Buffers;
using System.Text;
using K8shell.Ssh.Connection;
using K8shell.Ssh.Transport.Packets;

namespace K8shell.Ssh.Tests;

/// <summary>The queue of received channel packets that readers copy from.</summary>
public sealed class ChannelInboxTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_span_packets_and_split_them_in_order()
    {
        var inbox = new ChannelInbox();
        inbox.Add(Packet("hello "));
        inbox.Add(Packet("world"));
        var buffer = new byte[4];

        Assert.Equal("hell", Encoding.ASCII.GetString(buffer, 0, await inbox.ReadAsync(buffer, Cancellation)));
        Assert.Equal("o wo", Encoding.ASCII.GetString(buffer, 0, await inbox.ReadAsync(buffer, Cancellation)));
        Assert.Equal("rld", Encoding.ASCII.GetString(buffer, 0, await inbox.ReadAsync(buffer, Cancellation)));
    }

    [Fact]
    public async Task A_waiting_reader_wakes_when_data_arrives()
    {
        var inbox = new ChannelInbox();
        var buffer = new byte[16];
        var read = inbox.ReadAsync(buffer, Cancellation).AsTask();
        await Task.Delay(50, Cancellation);
        Assert.False(read.IsCompleted);

        inbox.Add(Packet("late"));

        Assert.Equal("late", Encoding.ASCII.GetString(buffer, 0, await read.WaitAsync(TimeSpan.FromSeconds(10), Cancellation)));
    }

    [Fact]
    public async Task Waiting_to_read_returns_when_data_arrives_or_the_end_comes_and_takes_nothing()
    {
        var inbox = new ChannelInbox();
        var wait = inbox.WaitToReadAsync(Cancellation).AsTask();
        await Task.Delay(50, Cancellation);
        Assert.False(wait.IsCompleted);

        inbox.Add(Packet("data"));
        await wait.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        await inbox.WaitToReadAsync(Cancellation); // still there: a wait consumes nothing
        var buffer = new byte[16];
        Assert.Equal("data", Encoding.ASCII.GetString(buffer, 0, await inbox.ReadAsync(buffer, Cancellation)));

        var end = inbox.WaitToReadAsync(Cancellation).AsTask();
        Assert.False(end.IsCompleted);
        inbox.Complete();
        await end.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        Assert.Equal(0, await inbox.ReadAsync(buffer, Cancellation));
    }

    [Fact]
    public async Task Completion_lets_queued_data_be_read_first_then_reads_end()
    {
        var inbox = new ChannelInbox();
        inbox.Add(Packet("last words"));
        inbox.Complete();
        inbox.Add(Packet("too late"));
        var buffer = new byte[64];

        Assert.Equal("last words", Encoding.ASCII.GetString(buffer, 0, await inbox.ReadAsync(buffer, Cancellation)));
        Assert.Equal(0, await inbox.ReadAsync(buffer, Cancellation));
    }

    [Fact]
    public async Task Completion_wakes_a_waiting_reader_with_the_end()
    {
        var inbox = new ChannelInbox();
        var read = inbox.ReadAsync(new byte[16], Cancellation).AsTask();

        inbox.Complete();

        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(10), Cancellation));
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_the_inbox_still_works()
    {
        var inbox = new ChannelInbox();
        using var giveUp = new CancellationTokenSource();
        var buffer = new byte[16];
        var read = inbox.ReadAsync(buffer, giveUp.Token).AsTask();

        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TimeSpan.FromSeconds(10), Cancellation));
        inbox.Add(Packet("again"));
        Assert.Equal("again", Encoding.ASCII.GetString(buffer, 0, await inbox.ReadAsync(buffer, Cancellation)));
    }

    /// <summary>A pooled packet holding <paramref name="text"/> after a 3-byte header, sliced as the connection slices CHANNEL_DATA.</summary>
    private static SshPacket Packet(string text)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(3 + text.Length);
        Encoding.ASCII.GetBytes(text, buffer.AsSpan(3));
        return new SshPacket(buffer, 0, 3 + text.Length).Slice(3, text.Length);
    }
}
