namespace K8shell.Ssh.Authentication;

/// <summary>What the host decides about one authentication attempt.</summary>
public sealed record AuthDecision
{
    private AuthDecision()
    {
    }

    public AuthOutcome Outcome { get; private init; }

    /// <summary>What the host wants to keep about the user (the Identity record, a token); handed to the connection.</summary>
    public object? Identity { get; private init; }

    /// <summary>For partial success: the methods the client must still complete.</summary>
    public IReadOnlyList<string> NextMethods { get; private init; } = [];

    /// <summary>Text shown to the person before the reply (SSH_MSG_USERAUTH_BANNER), e.g. why a user string is invalid.</summary>
    public string? Banner { get; private init; }

    public static AuthDecision Accept(object? identity = null) => new() { Outcome = AuthOutcome.Accepted, Identity = identity };

    public static AuthDecision Reject(string? banner = null) => new() { Outcome = AuthOutcome.Rejected, Banner = banner };

    /// <summary>This method succeeded, but the client must also complete one of <paramref name="nextMethods"/>.</summary>
    public static AuthDecision Partial(IReadOnlyList<string> nextMethods, object? identity = null, string? banner = null) =>
        new() { Outcome = AuthOutcome.PartialSuccess, NextMethods = nextMethods, Identity = identity, Banner = banner };
}

public enum AuthOutcome
{
    Rejected,
    Accepted,
    PartialSuccess,
}
