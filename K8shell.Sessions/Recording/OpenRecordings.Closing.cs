using Grpc.Core;

namespace K8shell.Sessions.Recording;

/// <summary>How open recordings end: completed by their call, failed, ended with their connection, idle, or Sessions stopping.</summary>
internal sealed partial class OpenRecordings
{
    /// <summary>A stream's call completed it: a terminal's file is closed, a capture's stays open for the connection's other forwards.</summary>
    public async Task CompletedAsync(RecordingStream stream)
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (stream.File is CastRecording)
            {
                await CloseAsync(stream.File);
            }
            else
            {
                Forget(stream);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Writing the file failed: it is closed without saving, and its streams resume from their last checkpoint.</summary>
    public async Task FailedAsync(OpenRecording file, Status status)
    {
        await _lifecycle.WaitAsync();
        try
        {
            Remove(file, status);
            await file.FailAsync(status);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Ends every recording of a connection: calls still writing them are stopped, every stream not completed is
    /// ended in its file (reopened if need be) and saved as completed, and the files are closed. How many it ended.
    /// </summary>
    public async Task<int> EndSessionAsync(string sessionId, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        List<RecordingStream> writing;
        lock (_files)
        {
            // In one order, so two ends of the same connection cannot each hold a stream the other waits for.
            writing = [.. _streams.Values.Where(stream => stream.SessionId == sessionId).OrderBy(stream => stream.StreamId, StringComparer.Ordinal)];
        }
        var held = new List<RecordingStream>();
        try
        {
            foreach (var stream in writing)
            {
                stream.StopCall(new Status(StatusCode.Aborted, $"the recordings of session {sessionId} were ended"));
                await stream.Calls.WaitAsync(cancellationToken);
                held.Add(stream);
            }
            await _lifecycle.WaitAsync(cancellationToken);
            try
            {
                return await EndOpenedAsync(sessionId, endedAt, cancellationToken);
            }
            finally
            {
                _lifecycle.Release();
            }
        }
        finally
        {
            held.ForEach(stream => stream.Calls.Release());
        }
    }

    /// <summary>Saves and closes the files no call has written for <paramref name="idle"/>; their streams stay resumable.</summary>
    public async Task CloseIdleAsync(TimeSpan idle, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            List<OpenRecording> quiet;
            lock (_files)
            {
                quiet = [.. _files.Values.Where(file => file.IdleFor(idle))];
            }
            foreach (var file in quiet)
            {
                logger.LogInformation("Closing recording {Path}: no call for {Idle}", file.Path, idle);
                await CloseAsync(file);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Sessions is stopping: calls still streaming end now, told to resume later (Unavailable).</summary>
    public void StopCalls()
    {
        List<RecordingStream> streams;
        lock (_files)
        {
            streams = [.. _streams.Values];
        }
        streams.ForEach(stream => stream.StopCall(new Status(StatusCode.Unavailable, "Sessions is stopping; resume the stream")));
    }

    /// <summary>Sessions is stopping: every file is saved and closed, its streams resumable by the next Sessions.</summary>
    public async Task CloseAllAsync(CancellationToken cancellationToken)
    {
        StopCalls();
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            List<OpenRecording> open;
            lock (_files)
            {
                open = [.. _files.Values];
            }
            foreach (var file in open)
            {
                await CloseAsync(file);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task<int> EndOpenedAsync(string sessionId, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        // Files of the connection closed meanwhile (idle, a restart) are reopened to end them properly: a FIN for each
        // forward, a terminal's last cut character. Files that cannot be (gone, damaged) are only marked completed.
        foreach (var row in await catalog.IncompleteAsync(sessionId, cancellationToken))
        {
            if (Find(row.StreamId) is null)
            {
                try
                {
                    await ReopenAsync(row, cancellationToken);
                }
                catch (Exception failure) when (failure is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    logger.LogWarning("Recording {Path} of stream {StreamId} cannot be reopened to end it: {Reason}", row.Path, row.StreamId, failure.Message);
                }
            }
        }
        List<OpenRecording> open;
        lock (_files)
        {
            open = [.. _files.Values.Where(file => file.SessionId == sessionId)];
        }
        var ended = 0;
        foreach (var file in open)
        {
            Remove(file, new Status(StatusCode.Aborted, $"the recordings of session {sessionId} were ended"));
            ended += await file.EndAsync(endedAt, cancellationToken);
        }
        var left = await catalog.IncompleteAsync(sessionId, cancellationToken);
        await catalog.CompleteAsync(left.Select(row => row.StreamId), endedAt, cancellationToken);
        return ended + left.Count;
    }

    /// <summary>Reopens the file of a stream not open here, with every stream of that file that can continue.</summary>
    private async Task ReopenAsync(RecordingRow row, CancellationToken cancellationToken)
    {
        if (row.Format == RecordingKinds.Asciinema)
        {
            if (await files.OpenCastAsync(row, header: null, cancellationToken) is var (recording, stream))
            {
                Register(recording, [stream]);
            }
            return;
        }
        await OpenPcapAsync(row.SessionId, row.Path, cancellationToken);
    }

    /// <summary>Closes a file (saving where it stands) and forgets it; the caller holds the lifecycle lock.</summary>
    private async Task CloseAsync(OpenRecording file)
    {
        Remove(file, new Status(StatusCode.Unavailable, $"the recording file {file.Path} was closed; resume the stream"));
        try
        {
            await file.CloseAsync(CancellationToken.None);
        }
        catch (Exception failure) when (failure is IOException or System.Data.Common.DbException)
        {
            logger.LogWarning("Recording {Path} closed without saving where it stands (its streams resume from the last checkpoint): {Reason}",
                file.Path, failure.Message);
        }
    }

    private void Remove(OpenRecording file, Status stopCalls)
    {
        List<RecordingStream> streams;
        lock (_files)
        {
            _files.Remove(file.Path);
            streams = [.. _streams.Values.Where(stream => stream.File == file)];
            streams.ForEach(Forget);
        }
        foreach (var stream in streams)
        {
            stream.Removed = true;
            stream.StopCall(stopCalls);
        }
    }
}
