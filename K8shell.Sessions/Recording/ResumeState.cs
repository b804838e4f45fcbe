using System.Text.Json;

namespace K8shell.Sessions.Recording;

/// <summary>
/// What a checkpoint saves for one stream besides its sequence number (column <c>resume_state</c>): the file's
/// length at that instant, which ends with a complete record, and the writer's state after it. A file reopened
/// after a restart is cut back to <see cref="Length"/> and its writer continues from that state, so the file
/// goes on exactly as if Sessions had never stopped: a character cut between two chunks, timestamps, TCP
/// sequence numbers. For a PCAP every stream of the file saves the same file state; the longest is the newest.
/// </summary>
internal sealed record ResumeState(long Length, CastWriterState? Cast = null, PcapWriterState? Pcap = null, TcpFlowState? Flow = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Null for none; InvalidDataException when the text is not one (edited by hand, another version).</summary>
    public static ResumeState? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<ResumeState>(json, Json) ?? throw new InvalidDataException("The resume state is JSON null.");
        }
        catch (JsonException failure)
        {
            throw new InvalidDataException($"The resume state cannot be read: {failure.Message}", failure);
        }
    }
}
