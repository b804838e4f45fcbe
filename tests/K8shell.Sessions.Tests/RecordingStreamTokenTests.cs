using System.Security.Cryptography;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using Microsoft.IdentityModel.Tokens;
using static K8shell.Sessions.Tests.StreamFrames;

namespace K8shell.Sessions.Tests;

/// <summary>
/// A recording header's user token decides whose recording it is, so Sessions checks it against the keys the real
/// Identity publishes: anything Identity did not issue for Sessions, or that has expired, records nothing.
/// </summary>
public sealed class RecordingStreamTokenTests(RecordingStreamsFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Refusals => new()
    {
        { "garbage", "the header's user token is not a JWT" },
        { "empty", "the header's origin.user_token is empty" },
        { "expired", "the user token expired at " },
        { "foreign", "the user token's signature does not verify with Identity's published keys" },
        { "k8shelld", "the user token is for [k8shelld], not 'sessions'" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_header_whose_token_Identity_did_not_issue_for_Sessions_or_that_expired_records_nothing(string token, string reason)
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var credential = token switch
        {
            "garbage" => "not.a-token",
            "empty" => "",
            "expired" => fixture.MadeUpToken("alice", DateTimeOffset.UtcNow.AddMinutes(-5)),
            "foreign" => fixture.MadeUpToken("alice", DateTimeOffset.UtcNow.AddMinutes(5), key: new ECDsaSecurityKey(foreign) { KeyId = "foreign" }),
            _ => await fixture.UserTokenAsync("alice", "k8shelld"),
        };
        var session = NewSessionId();
        var stream = $"sh-{session}1";
        var client = fixture.Recordings();

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            SendAsync(client.StreamShellRecording(cancellationToken: Cancel), [ShellHeader(Origin(session, stream, credential)), ShellOutput(1, 0, "secret"u8.ToArray())]));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.StartsWith(reason, refused.Status.Detail, StringComparison.Ordinal);
        var state = await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = stream }, cancellationToken: Cancel);
        Assert.Equal((0ul, false), (state.LastSequence, state.Completed));
        Assert.False(File.Exists(Path.Combine(fixture.DataDirectory, "recordings", "alice", "shell", $"{stream}.cast")));
    }

    [Fact]
    public async Task A_token_Identity_signed_for_Sessions_and_still_valid_is_accepted_even_when_Identity_never_issued_it()
    {
        // The check is the signature, audience and lifetime, not a lookup: a token made with Identity's own key counts.
        var session = NewSessionId();

        var ack = await SendAsync(fixture.Recordings().StreamShellRecording(cancellationToken: Cancel),
            [ShellHeader(Origin(session, $"sh-{session}1", fixture.MadeUpToken("carol", DateTimeOffset.UtcNow.AddMinutes(5)))), ShellOutput(1, 0, "ok"u8.ToArray())]);

        Assert.Equal(1ul, ack.LastSequence);
        Assert.True(File.Exists(Path.Combine(fixture.DataDirectory, "recordings", "carol", "shell", $"sh-{session}1.cast")));
    }

    [Fact]
    public async Task A_user_name_that_cannot_name_a_folder_is_refused_before_anything_is_written()
    {
        var session = NewSessionId();

        var refused = await Assert.ThrowsAsync<RpcException>(() => SendAsync(fixture.Recordings().StreamShellRecording(cancellationToken: Cancel),
            [ShellHeader(Origin(session, $"sh-{session}1", fixture.MadeUpToken("..", DateTimeOffset.UtcNow.AddMinutes(5)))), ShellOutput(1, 0, "x"u8.ToArray())]));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("\"..\" cannot name a recording folder or file", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(fixture.DataDirectory, $"sh-{session}1.cast", SearchOption.AllDirectories));
    }
}
