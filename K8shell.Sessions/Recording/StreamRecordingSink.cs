namespace K8shell.Sessions.Recording;

/// <summary>Records into any <see cref="Stream"/> (memory, a pipe to a live viewer), one write per record.</summary>
internal sealed class StreamRecordingSink(Stream stream, bool leaveOpen = false) : IRecordingSink
{
    public ValueTask WriteRecordAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        stream.WriteAsync(record, cancellationToken);

    public async ValueTask FlushAsync(bool toDisk, CancellationToken cancellationToken)
    {
        if (toDisk && stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
            return;
        }
        await stream.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => leaveOpen ? ValueTask.CompletedTask : stream.DisposeAsync();
}
