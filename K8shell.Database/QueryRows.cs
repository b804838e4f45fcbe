using System.Data.Common;

namespace K8shell.Database;

/// <summary>
/// A query's rows as values: the execute-read-loop every store would otherwise write again. Each method owns the
/// command it is given and disposes it, so a store writes <c>await database.Command(sql, ...).ReadAllAsync(Row, ct)</c>.
/// </summary>
public static class QueryRows
{
    /// <summary>Every row of the result, each made by <paramref name="read"/>, in the order the query gives them.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var row = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await row.ReadAsync(cancellationToken))
            {
                rows.Add(read(row));
            }
            return rows;
        }
    }

    /// <summary>The first row made by <paramref name="read"/>, or null when the result has none.</summary>
    public static async Task<T?> ReadFirstAsync<T>(this DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using (command)
        {
            await using var row = await command.ExecuteReaderAsync(cancellationToken);
            return await row.ReadAsync(cancellationToken) ? read(row) : null;
        }
    }
}
