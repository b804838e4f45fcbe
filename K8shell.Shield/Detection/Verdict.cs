using K8shell.Shield.State;

namespace K8shell.Shield.Detection;

/// <summary>The outcome of counting one failure: the address's new record, and the ban it earned, if any.</summary>
internal sealed record Verdict(IpRecord Record, BanDecision? Ban);

/// <summary>A ban to issue: the strike it is (1 for the first) and how long it lasts.</summary>
internal sealed record BanDecision(int Strike, TimeSpan Duration, int Failures, TimeSpan Window)
{
    /// <summary>For operators, in the ban entry and the log (e.g. "4 failed logins in 00:05:00, strike 1").</summary>
    public string Reason => $"{Failures} failed logins in {Window}, strike {Strike}";
}
