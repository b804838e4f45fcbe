using System.Globalization;

namespace K8shell.Testing.Fuzzing;

/// <summary>
/// One time-bounded, seeded fuzz run, the same for every fuzzer in the repository. CI runs each target for a
/// second with its fixed seed, so a run is repeatable; <c>scripts/fuzz.sh</c> sets <see cref="SecondsVariable"/>
/// for longer runs and a random <see cref="SeedVariable"/>, which it prints. A failure message starts with
/// <see cref="ToString"/>: the target, the seed and the case, enough to replay it with the same variables.
/// </summary>
public sealed class FuzzRun
{
    /// <summary>Seconds each fuzz target runs for (default 1).</summary>
    public const string SecondsVariable = "K8SHELL_FUZZ_SECONDS";

    /// <summary>The seed of every target's random source (default: each target's own fixed seed).</summary>
    public const string SeedVariable = "K8SHELL_FUZZ_SEED";

    private readonly string _target;
    private readonly DateTime _deadline;

    private FuzzRun(string target, int seed, TimeSpan budget)
    {
        _target = target;
        Seed = seed;
        Budget = budget;
        Random = new Random(seed);
        _deadline = DateTime.UtcNow + budget;
    }

    public int Seed { get; }

    public TimeSpan Budget { get; }

    /// <summary>The only source of randomness a fuzzer may use, or its seed would not replay it.</summary>
    public Random Random { get; }

    /// <summary>Cases started so far; the current one's number is <c>Cases - 1</c>.</summary>
    public int Cases { get; private set; }

    /// <summary>Starts a run of <paramref name="target"/> and says its seed in the test's output.</summary>
    public static FuzzRun Start(string target, int fixedSeed)
    {
        var run = new FuzzRun(target, Read(SeedVariable, int.Parse) ?? fixedSeed, TimeSpan.FromSeconds(Read(SecondsVariable, double.Parse) ?? 1));
        Xunit.TestContext.Current.TestOutputHelper?.WriteLine($"fuzzing {target} for {run.Budget.TotalSeconds} s with {SeedVariable}={run.Seed}");
        return run;
    }

    /// <summary>Whether to run another case: true until the budget is spent.</summary>
    public bool Next()
    {
        if (DateTime.UtcNow >= _deadline)
        {
            Xunit.TestContext.Current.TestOutputHelper?.WriteLine($"{_target}: {Cases} cases");
            return false;
        }
        Cases++;
        return true;
    }

    public override string ToString() => $"{_target}: {SeedVariable}={Seed}, case {Cases - 1}";

    private static T? Read<T>(string variable, Func<string, IFormatProvider, T> parse) where T : struct =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text ? parse(text, CultureInfo.InvariantCulture) : null;
}
