using System.Diagnostics;
using System.Text;
using K8shell.Sessions.Recording;

namespace K8shell.Sessions.Tests;

public sealed class RecordingFileTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_record_reaches_the_file_within_a_second_without_being_flushed()
    {
        using var scratch = new ScratchFolder();
        await using var file = RecordingFile.Create(scratch.File("one.cast"));

        var written = Stopwatch.StartNew();
        await file.WriteRecordAsync("[0.000000, \"o\", \"hello\"]\n"u8.ToArray(), Cancel);
        while (new FileInfo(file.Path).Length == 0 && written.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50, Cancel);
        }

        Assert.Equal("[0.000000, \"o\", \"hello\"]\n", await File.ReadAllTextAsync(file.Path, Cancel));
        // The timer fires after a second; a machine busy with parallel builds may run it a little late.
        Assert.InRange(written.Elapsed, TimeSpan.Zero, RecordingFile.FlushInterval + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_full_disk_cuts_the_file_back_to_its_last_complete_record_and_every_later_call_says_so()
    {
        await using var disk = await SmallDisk.MountAsync(64, Cancel);
        var file = RecordingFile.Create(Path.Combine(disk.Path, "full.cast"));
        var records = 0;
        var full = await Assert.ThrowsAsync<RecordingDiskFullException>(async () =>
        {
            for (; records < 1000; records++)
            {
                await file.WriteRecordAsync(Record(records), Cancel);
                if (records % 7 == 6)
                {
                    await file.FlushAsync(toDisk: false, Cancel);
                }
            }
        });

        Assert.Equal(file.Path, full.Path);
        var kept = await File.ReadAllBytesAsync(file.Path, Cancel);
        Assert.Equal(0, kept.Length % 1000);
        Assert.InRange(kept.Length, 1000, 64 * 1024);
        for (var i = 0; i < kept.Length / 1000; i++)
        {
            Assert.Equal(Record(i), kept[(i * 1000)..((i + 1) * 1000)]);
        }
        await Assert.ThrowsAsync<RecordingDiskFullException>(() => file.WriteRecordAsync(Record(0), Cancel).AsTask());
        await Assert.ThrowsAsync<RecordingDiskFullException>(() => file.FlushAsync(toDisk: true, Cancel).AsTask());
        await Assert.ThrowsAsync<RecordingDiskFullException>(() => file.CloseAsync(Cancel).AsTask());
        await file.DisposeAsync();
        Assert.Equal(kept, await File.ReadAllBytesAsync(file.Path, Cancel));
    }

    [Fact]
    public async Task A_full_disk_met_by_the_flush_timer_is_reported_by_the_next_call()
    {
        await using var disk = await SmallDisk.MountAsync(16, Cancel);
        await using var file = RecordingFile.Create(Path.Combine(disk.Path, "late.cast"));
        for (var i = 0; i < 40; i++)
        {
            await file.WriteRecordAsync(Record(i), Cancel);
        }

        await Task.Delay(RecordingFile.FlushInterval * 2, Cancel);

        Assert.Equal(0, new FileInfo(file.Path).Length);
        await Assert.ThrowsAsync<RecordingDiskFullException>(() => file.WriteRecordAsync(Record(40), Cancel).AsTask());
    }

    [Fact]
    public async Task Records_from_concurrent_callers_never_interleave()
    {
        using var scratch = new ScratchFolder();
        var random = new Random(Seeds.Seed);
        var sizes = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 100).Select(_ => random.Next(1, 90_000)).ToArray()).ToArray();
        await using (var file = RecordingFile.Create(scratch.File("many.cast")))
        {
            await Task.WhenAll(sizes.Select((lengths, writer) => Task.Run(async () =>
            {
                foreach (var length in lengths)
                {
                    var record = new byte[length];
                    Array.Fill(record, (byte)('a' + writer));
                    record[^1] = (byte)'\n';
                    await file.WriteRecordAsync(record, Cancel);
                }
            }, Cancel)));
            await file.CloseAsync(Cancel);
        }

        var lines = (await File.ReadAllTextAsync(scratch.File("many.cast"), Cancel)).Split('\n')[..^1];
        Assert.Equal(sizes.Sum(lengths => lengths.Length), lines.Length);
        Assert.All(lines, line => Assert.True(line.Length == 0 || line.All(c => c == line[0]), $"seed {Seeds.Seed}: a record was torn"));
        for (var writer = 0; writer < sizes.Length; writer++)
        {
            var mine = lines.Where(line => line.Length > 0 && line[0] == 'a' + writer).Select(line => line.Length + 1).ToArray();
            Assert.Equal(sizes[writer].Where(length => length > 1), mine);
        }
    }

    /// <summary>A 1000-byte record that says which it is.</summary>
    private static byte[] Record(int number)
    {
        var record = Encoding.ASCII.GetBytes($"[{number}, \"o\", \"{new string((char)('a' + number % 26), 1000)}");
        record = record[..999];
        return [.. record, (byte)'\n'];
    }
}
