using System.Diagnostics;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.SshProxy.Recording;

/// <summary>
/// One channel's recording. The channel's writes go to a <see cref="RecordingBuffer"/> and return at once; a
/// background drain sends them to Sessions. When the call breaks (Sessions restarted or unreachable) the drain opens
/// a new one with the same header after a back-off, asks GetRecordingState what is on disk, and sends every later
/// frame again: Sessions ignores repeats, so each byte is in the file once. Disposing sends what is left (waiting
/// <see cref="RecordingOptions.FlushTimeout"/> at most) and ends the call, which completes the recording.
/// </summary>
internal sealed class ChannelRecording : IChannelRecording
{
    private const int Batch = 64;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly RecordingService.RecordingServiceClient _client;
    private readonly RecordingWire _wire;
    private readonly string _streamId;
    private readonly bool _keepsInput;
    private readonly RecordingOptions _options;
    private readonly RecordingMetrics _metrics;
    private readonly ILogger _logger;
    private readonly RecordingBuffer _buffer;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _abandon = new();
    private readonly OutageLatch _outage = new();
    private readonly Task _drain;
    private readonly Action<ChannelRecording>? _closed;
    private volatile bool _completing;

    public ChannelRecording(RecordingService.RecordingServiceClient client, RecordingWire wire, string streamId, bool recordInput,
        RecordingOptions options, RecordingMetrics metrics, ILogger logger, Action<ChannelRecording>? closed = null)
    {
        (_client, _wire, _streamId, _options, _metrics, _logger, _closed) = (client, wire, streamId, options, metrics, logger, closed);
        // Keystrokes only when asked for; a forward's client side is half of its traffic and always kept.
        _keepsInput = recordInput || !wire.HasTerminal;
        _buffer = new RecordingBuffer(options.BufferBytes);
        _drain = Task.Run(DrainAsync);
    }

    public void Output(ReadOnlySpan<byte> data) => Add(data, Direction.Output);

    public void Input(ReadOnlySpan<byte> data)
    {
        if (_keepsInput)
        {
            Add(data, Direction.Input);
        }
    }

    public void Resize(uint columns, uint rows)
    {
        if (_wire.HasTerminal && !_completing && columns > 0 && rows > 0)
        {
            var offset = Offset();
            _buffer.Add(offset, resize: new TerminalResize { TimeOffsetMs = offset, Width = columns, Height = rows });
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>Sends what is left and completes the recording, or gives up after <see cref="RecordingOptions.FlushTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_completing)
        {
            return;
        }
        _completing = true;
        _wake.Writer.TryWrite(true);
        try
        {
            await _drain.WaitAsync(_options.FlushTimeout);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Recording {StreamId} could not reach Sessions within {Timeout}; {Bytes} bytes of it are lost, and Sessions keeps what it had",
                _streamId, _options.FlushTimeout, _buffer.Bytes);
            await _abandon.CancelAsync();
            await _drain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _abandon.Dispose();
        _closed?.Invoke(this);
    }

    private void Add(ReadOnlySpan<byte> data, Direction direction)
    {
        if (data.IsEmpty || _completing)
        {
            return;
        }
        var offset = Offset();
        if (_buffer.Add(offset, new DataChunk { TimeOffsetMs = offset, Data = ByteString.CopyFrom(data), Direction = direction }))
        {
            _metrics.Recorded(data.Length);
        }
        else
        {
            _metrics.Dropped(data.Length);
        }
        _wake.Writer.TryWrite(true);
    }

    private ulong Offset() => (ulong)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    private async Task DrainAsync()
    {
        var cancellation = _abandon.Token;
        var delay = FirstRetryDelay;
        var resuming = false;
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                using var call = await _wire.OpenAsync(cancellation);
                if (resuming && await ConfirmAsync(cancellation))
                {
                    return;
                }
                resuming = true;
                _buffer.Rewind();
                if (_outage.Recover())
                {
                    _logger.LogInformation("Recording {StreamId} reaches Sessions again", _streamId);
                }
                delay = FirstRetryDelay;
                await SendAsync(call, cancellation);
                return;
            }
            catch (Exception failure) when (IsBroken(failure) && !cancellation.IsCancellationRequested)
            {
                if (_outage.Fail())
                {
                    _logger.LogWarning("Recording {StreamId} cannot reach Sessions ({Reason}); keeping up to {Capacity} bytes and retrying",
                        _streamId, Reason(failure), _options.BufferBytes);
                }
                await Task.Delay(delay, cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Sends frames as they come until the channel closes, then completes the call; confirms now and then to free the buffer.</summary>
    private async Task SendAsync(IRecordingCall call, CancellationToken cancellationToken)
    {
        var lastConfirm = Stopwatch.GetTimestamp();
        while (true)
        {
            var frames = _buffer.TakeUnsent(Batch, Offset());
            foreach (var frame in frames)
            {
                await call.WriteAsync(frame, cancellationToken);
            }
            if (frames.Count > 0)
            {
                continue;
            }
            if (_completing)
            {
                var ack = await call.CompleteAsync();
                _buffer.Confirm(ack.LastSequence);
                return;
            }
            if (_buffer.HasUnconfirmed && Stopwatch.GetElapsedTime(lastConfirm) >= _options.ConfirmInterval)
            {
                await ConfirmAsync(cancellationToken);
                lastConfirm = Stopwatch.GetTimestamp();
                continue;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(_options.ConfirmInterval);
            Task woken = _wake.Reader.WaitToReadAsync(wait.Token).AsTask();
            await woken.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _wake.Reader.TryRead(out _);
        }
    }

    /// <summary>Lets go of what Sessions has on disk; true when the recording is already completed there.</summary>
    private async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        var state = await _client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = _streamId }, cancellationToken: cancellationToken);
        _buffer.Confirm(state.LastSequence);
        return state.Completed;
    }

    private static bool IsBroken(Exception failure) => failure is RpcException or IOException or InvalidOperationException or HttpRequestException;

    private static string Reason(Exception failure) => failure is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : failure.Message;
}
