using System.Collections.Concurrent;
using K8shell.Provisioner.Blueprints;
using K8shell.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Tests;

/// <summary>The catalog a running Provisioner serves: reloaded on change, a bad change keeps the last good set.</summary>
public sealed class BlueprintCatalogTests : IDisposable
{
    private readonly BlueprintFiles _files = new();
    private readonly RecordingLog _log = new();

    [Fact]
    public async Task Edits_are_picked_up_and_a_bad_edit_keeps_the_last_good_set_saying_why()
    {
        _files.Write("dev.yaml", "blueprints:\n  - name: dev\n    image: debian:12\n");
        using var catalog = Open();
        Assert.Equal("debian:12", catalog.Find("dev")!.Image);

        _files.Write("dev.yaml", "blueprints:\n  - name: dev\n    image: debian:13\n");
        Assert.True(await Eventually.WaitAsync(() => catalog.Find("dev")?.Image == "debian:13", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        var bad = _files.Write("zzz.yaml", "blueprints:\n  - name: web\n    template: dev\n    resources: {memory: plenty}\n");
        Assert.True(await Eventually.WaitAsync(() => _log.Messages.Any(message => message.Contains("not reloaded")), TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal("debian:13", catalog.Find("dev")!.Image);
        Assert.Null(catalog.Find("web"));
        Assert.Contains(_log.Messages, message => message.Contains($"{bad}:4: resources.memory: \"plenty\" is not a quantity"));
    }

    [Fact]
    public void The_implicit_user_string_means_the_first_allowed_concrete_blueprint_by_name()
    {
        using var catalog = Open(BlueprintFiles.Samples);

        Assert.Equal("dev", catalog.DefaultFor(["*"])?.Name);
        Assert.Equal("ubuntu", catalog.DefaultFor(["base", "ubuntu"])?.Name);
        Assert.Null(catalog.DefaultFor(["base"]));
        Assert.Null(catalog.DefaultFor([]));
    }

    private BlueprintCatalog Open(string? directory = null) => new(
        Options.Create(new BlueprintOptions { Directory = directory ?? _files.Directory }), new Environment(), _log);

    public void Dispose() => _files.Dispose();

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    /// <summary>What the catalog logs, as text.</summary>
    private sealed class RecordingLog : ILogger<BlueprintCatalog>
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
    }
}
