using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.SshProxy.Recording;

/// <summary>
/// How one recording reaches Sessions, whatever its kind: a new call starting with the recording's header (the same
/// each time, with a fresh user token), then its numbered frames. Each kind's messages are built by
/// <see cref="RecordingWires"/>.
/// </summary>
internal abstract class RecordingWire
{
    /// <summary>Shell and exec carry terminal resizes; forwards have none.</summary>
    public abstract bool HasTerminal { get; }

    /// <summary>Opens a call and sends the header; RpcException when Sessions cannot be reached.</summary>
    public abstract Task<IRecordingCall> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>One open recording call.</summary>
internal interface IRecordingCall : IDisposable
{
    Task WriteAsync(BufferedFrame frame, CancellationToken cancellationToken);

    /// <summary>Ends the call normally, which completes the recording; Sessions answers with what it has on disk.</summary>
    Task<RecordingAck> CompleteAsync();
}

/// <summary>The recording calls of one kind of frame; the frame type says whether it has a terminal.</summary>
internal sealed class RecordingWire<TFrame>(
    Func<CancellationToken, AsyncClientStreamingCall<TFrame, RecordingAck>> open,
    Func<CancellationToken, ValueTask<TFrame>> header) : RecordingWire
    where TFrame : class, IRecordingFrame, new()
{
    private static readonly bool Terminal = typeof(ITerminalRecordingFrame).IsAssignableFrom(typeof(TFrame));

    public override bool HasTerminal => Terminal;

    public override async Task<IRecordingCall> OpenAsync(CancellationToken cancellationToken)
    {
        var first = await header(cancellationToken);
        var call = open(cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(first, cancellationToken);
            return new Call(call);
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <summary>The message of <paramref name="frame"/>, numbered as the buffer numbered it.</summary>
    private static TFrame Body(BufferedFrame frame)
    {
        var message = new TFrame { Sequence = frame.Sequence };
        switch (frame)
        {
            case { Chunk: { } chunk }:
                message.Chunk = chunk;
                break;
            case { Gap: { } gap }:
                message.Gap = gap;
                break;
            case { Resize: { } resize } when message is ITerminalRecordingFrame terminal:
                terminal.Resize = resize;
                break;
        }
        return message;
    }

    private sealed class Call(AsyncClientStreamingCall<TFrame, RecordingAck> call) : IRecordingCall
    {
        public Task WriteAsync(BufferedFrame frame, CancellationToken cancellationToken) => WriteOrExplainAsync(frame, cancellationToken);

        public async Task<RecordingAck> CompleteAsync()
        {
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        }

        public void Dispose() => call.Dispose();

        /// <summary>A write to a call Sessions already ended fails without the reason; the response holds it.</summary>
        private async Task WriteOrExplainAsync(BufferedFrame frame, CancellationToken cancellationToken)
        {
            try
            {
                await call.RequestStream.WriteAsync(Body(frame), cancellationToken);
            }
            catch (InvalidOperationException)
            {
                await call.ResponseAsync;
                throw;
            }
        }
    }
}
