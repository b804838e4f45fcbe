namespace K8shell.Sessions.Recording;

/// <summary>A terminal recording (shell or exec) open for writing: one stream, one <c>.cast</c> file.</summary>
internal sealed class CastRecording(RecordingFile file, CastWriter writer, RecordingRow row, Checkpoints checkpoints)
    : OpenRecording(file, row.Path, row.RecordingId, row.SessionId, checkpoints)
{
    /// <summary>The file's one stream; <paramref name="isNew"/>: a checkpoint is due at once, so the catalog learns the writer's first state.</summary>
    public RecordingStream Add(RecordingRow stream, bool isNew)
    {
        var added = new RecordingStream(stream, this);
        Streams.Add(added);
        if (isNew)
        {
            MarkDirty();
        }
        return added;
    }

    protected override async ValueTask WriteAsync(RecordingStream stream, IncomingFrame frame, CancellationToken cancellationToken)
    {
        if (frame.Chunk is { } chunk)
        {
            await writer.WriteAsync(RecordingFrames.DirectionOf(chunk), RecordingFrames.Offset(chunk.TimeOffsetMs), chunk.Data.Memory, cancellationToken);
        }
        else if (frame.Resize is { } resize)
        {
            if (resize.Width is < 1 or > CastHeader.MaxSide || resize.Height is < 1 or > CastHeader.MaxSide)
            {
                throw RecordingFrames.Invalid($"the terminal size {resize.Width}x{resize.Height} of frame {frame.Sequence} is out of range (1 to {CastHeader.MaxSide} on each side)");
            }
            await writer.ResizeAsync(RecordingFrames.Offset(resize.TimeOffsetMs), (int)resize.Width, (int)resize.Height, cancellationToken);
        }
        else if (frame.Gap is { } gap)
        {
            await writer.GapAsync(RecordingFrames.Offset(gap.TimeOffsetMs), gap.DroppedBytes, gap.Reason, cancellationToken);
        }
    }

    protected override ValueTask<ResumeState[]> StatesAsync(long length, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ResumeState[]>([.. Streams.Select(_ => new ResumeState(length, Cast: writer.State))]);

    protected override ValueTask EndStreamAsync(RecordingStream stream, DateTimeOffset endedAt) => writer.CompleteAsync(CancellationToken.None);

    protected override ValueTask EndFileAsync(DateTimeOffset endedAt) => ValueTask.CompletedTask;
}
