namespace Hazel.Presence;

/// <summary>
/// A value that is either not given (<see cref="HasValue"/> is false) or given, possibly as null.
/// Used by <see cref="PresenceUpdate"/> so that a missing field keeps the stored value and a null clears it.
/// </summary>
/// <typeparam name="T">The value type; nullable where null means "clear".</typeparam>
public readonly struct Optional<T> : IEquatable<Optional<T>>
{
    private readonly T _value;

    /// <summary>Creates a given value (which may be null).</summary>
    public Optional(T value)
    {
        _value = value;
        HasValue = true;
    }

    /// <summary>The "not given" value.</summary>
    public static Optional<T> Unset => default;

    /// <summary>True when a value (possibly null) was given.</summary>
    public bool HasValue { get; }

    /// <summary>The given value.</summary>
    /// <exception cref="InvalidOperationException">No value was given.</exception>
    public T Value => HasValue ? _value : throw new InvalidOperationException("The optional value was not given; check HasValue first.");

    /// <summary>The given value, or <paramref name="fallback"/> when none was given.</summary>
    public T GetValueOrDefault(T fallback) => HasValue ? _value : fallback;

    /// <summary>Wraps a given value; <c>null</c> converts to a given null (clear).</summary>
    public static implicit operator Optional<T>(T value) => new(value);

    /// <inheritdoc />
    public bool Equals(Optional<T> other) =>
        HasValue == other.HasValue && (!HasValue || EqualityComparer<T>.Default.Equals(_value, other._value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Optional<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HasValue ? HashCode.Combine(true, _value) : 0;

    /// <inheritdoc />
    public override string ToString() => HasValue ? (_value?.ToString() ?? "null") : "(unset)";

    /// <summary>Equality.</summary>
    public static bool operator ==(Optional<T> left, Optional<T> right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Optional<T> left, Optional<T> right) => !left.Equals(right);
}
