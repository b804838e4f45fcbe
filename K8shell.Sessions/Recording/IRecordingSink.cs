namespace K8shell.Sessions.Recording;

/// <summary>
/// Where a recording writer puts its bytes, one whole record (a header, an event line, a packet) at a time,
/// so that a failure never leaves half a record behind.
/// </summary>
internal interface IRecordingSink : IAsyncDisposable
{
    /// <summary>Appends one record; <paramref name="record"/> may be reused once this completes.</summary>
    ValueTask WriteRecordAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken);

    /// <summary>Pushes what is buffered to the operating system, and to the disk itself when <paramref name="toDisk"/>.</summary>
    ValueTask FlushAsync(bool toDisk, CancellationToken cancellationToken);
}
