using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Writes an asciinema v2 recording (<c>.cast</c>): the header line, then one JSON line per event,
/// <c>[seconds, code, data]</c>, with "o" output, "i" input, "r" resize ("WxH") and "m" marker events.
/// Bytes are decoded as UTF-8 across chunk boundaries (one <see cref="Utf8Carry"/> per direction); invalid bytes
/// become U+FFFD. One writer per recorded channel, called by one caller at a time. Disposing it disposes the sink.
/// Its state between two events (<see cref="State"/>) can be saved and the recording continued from it later
/// (<see cref="Resume"/>), in this process or the next.
/// </summary>
/// <remarks>
/// asciinema has no gap event. A gap is written as an "m" marker (asciicast v2's marker event: the web player
/// shows it on the timeline; Debian's asciinema 2.2 <c>cat</c> and <c>play</c> accept and skip it) followed by an
/// "o" event with a visible line, so whoever watches or cats the recording sees that something is missing.
/// </remarks>
internal sealed class CastWriter : IAsyncDisposable
{
    // A large chunk becomes several events at the same time, which bounds the line buffer.
    private const int MaxBytesPerEvent = 16 * 1024;
    private const int MicrosecondsPerSecond = 1_000_000;
    // Every byte, plus the at most three carried over, is at most one char (a four-byte character is two).
    private static readonly int MaxCharsPerEvent = MaxBytesPerEvent + 4;

    private readonly IRecordingSink _sink;
    private readonly bool _recordInput;
    private readonly Utf8Carry _output;
    private readonly Utf8Carry _input;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly Utf8JsonWriter _json;
    private TimeSpan _time;
    private bool _completed;

    private CastWriter(IRecordingSink sink, CastWriterState state)
    {
        _sink = sink;
        _recordInput = state.RecordInput;
        _time = TimeSpan.FromMicroseconds(state.Microseconds);
        _output = new Utf8Carry { Pending = state.PendingOutput };
        _input = new Utf8Carry { Pending = state.PendingInput };
        _json = new Utf8JsonWriter(_line, CastHeader.JsonOptions);
    }

    /// <summary>Where the recording stands between two events: enough to continue it exactly.</summary>
    public CastWriterState State => new(_time.Ticks / TimeSpan.TicksPerMicrosecond, _output.Pending, _input.Pending, _recordInput);

    /// <summary>Writes the header and puts it on disk before any event, so even an empty recording is valid.</summary>
    public static async ValueTask<CastWriter> StartAsync(IRecordingSink sink, CastHeader header, CancellationToken cancellationToken)
    {
        await sink.WriteRecordAsync(header.ToJsonLine(), cancellationToken);
        await sink.FlushAsync(toDisk: true, cancellationToken);
        return new CastWriter(sink, new CastWriterState(0, [], [], header.RecordInput));
    }

    /// <summary>Continues a recording whose file (<paramref name="sink"/>) ends where <paramref name="state"/> was taken.</summary>
    public static CastWriter Resume(IRecordingSink sink, CastWriterState state) => new(sink, state);

    /// <summary>Records bytes at <paramref name="offset"/> from the start; input is dropped unless the header asked for it.</summary>
    public async ValueTask WriteAsync(Direction direction, TimeSpan offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (direction == Direction.Input && !_recordInput)
        {
            return;
        }
        Begin(cancellationToken);
        var time = Advance(offset);
        var (carry, code) = direction == Direction.Input ? (_input, "i") : (_output, "o");
        var chars = ArrayPool<char>.Shared.Rent(MaxCharsPerEvent);
        try
        {
            do
            {
                var slice = data[..Math.Min(data.Length, MaxBytesPerEvent)];
                data = data[slice.Length..];
                // A character cut at the end of the slice is carried until its next bytes come.
                var count = carry.Decode(slice.Span, chars, final: false);
                if (count > 0)
                {
                    await WriteEventAsync(time, code, chars.AsMemory(0, count));
                }
            }
            while (!data.IsEmpty);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Records a terminal resize.</summary>
    public ValueTask ResizeAsync(TimeSpan offset, int width, int height, CancellationToken cancellationToken)
    {
        CastHeader.CheckSize(width, height);
        Begin(cancellationToken);
        return WriteEventAsync(Advance(offset), "r", $"{width}x{height}".AsMemory());
    }

    /// <summary>Records that the proxy dropped <paramref name="droppedBytes"/> bytes here, as a marker and a visible line.</summary>
    public async ValueTask GapAsync(TimeSpan offset, ulong droppedBytes, string? reason, CancellationToken cancellationToken)
    {
        Begin(cancellationToken);
        var time = Advance(offset);
        // A character cut by the gap can never be completed: its bytes so far show as U+FFFD.
        await WriteTailsAsync(time);
        var because = string.IsNullOrWhiteSpace(reason) ? "" : $" ({string.Concat(reason.Where(c => !char.IsControl(c)))})";
        await WriteEventAsync(time, "m", $"k8shell: {droppedBytes} bytes not recorded{because}".AsMemory());
        await WriteEventAsync(time, "o", $"\r\n[k8shell: {droppedBytes} bytes of this session were not recorded{because}]\r\n".AsMemory());
    }

    /// <summary>Ends the recording: a character left incomplete shows as U+FFFD, and everything is put on disk.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }
        Begin(cancellationToken);
        await WriteTailsAsync(_time);
        await _sink.FlushAsync(toDisk: true, cancellationToken);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        await _sink.DisposeAsync();
    }

    private void Begin(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Event times never go backwards, whatever order the caller's offsets arrive in.</summary>
    private TimeSpan Advance(TimeSpan offset)
    {
        if (offset > _time)
        {
            _time = offset;
        }
        return _time;
    }

    private async ValueTask WriteTailsAsync(TimeSpan time)
    {
        var output = Tail(_output);
        if (output.Length > 0)
        {
            await WriteEventAsync(time, "o", output.AsMemory());
        }
        var input = Tail(_input);
        if (input.Length > 0 && _recordInput)
        {
            await WriteEventAsync(time, "i", input.AsMemory());
        }
    }

    private static string Tail(Utf8Carry carry)
    {
        Span<char> chars = stackalloc char[8];
        return new string(chars[..carry.Decode([], chars, final: true)]);
    }

    private ValueTask WriteEventAsync(TimeSpan time, string code, ReadOnlyMemory<char> data)
    {
        FormatEvent(time, code, data.Span);
        // Not cancelled once started: an event is recorded whole or the file fails.
        return _sink.WriteRecordAsync(_line.WrittenMemory, CancellationToken.None);
    }

    private void FormatEvent(TimeSpan time, string code, ReadOnlySpan<char> data)
    {
        _line.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartArray();
        Span<byte> seconds = stackalloc byte[32];
        _json.WriteRawValue(seconds[..FormatSeconds(time, seconds)], skipInputValidation: true);
        _json.WriteStringValue(code);
        _json.WriteStringValue(data);
        _json.WriteEndArray();
        _json.Flush();
        _line.Write("\n"u8);
    }

    /// <summary>Seconds with exactly six decimals, from whole microseconds (no binary floating point on the way).</summary>
    private static int FormatSeconds(TimeSpan time, Span<byte> destination)
    {
        var microseconds = time.Ticks / TimeSpan.TicksPerMicrosecond;
        Utf8Formatter.TryFormat(microseconds / MicrosecondsPerSecond, destination, out var whole);
        destination[whole] = (byte)'.';
        Utf8Formatter.TryFormat(microseconds % MicrosecondsPerSecond, destination[(whole + 1)..], out var fraction, new StandardFormat('D', 6));
        return whole + 1 + fraction;
    }
}

/// <summary>
/// A <see cref="CastWriter"/> between two events: the time reached (events never go back before it), the bytes of
/// a character cut at the end of the last output and input chunks, and whether keystrokes are recorded.
/// </summary>
internal sealed record CastWriterState(long Microseconds, byte[] PendingOutput, byte[] PendingInput, bool RecordInput);
