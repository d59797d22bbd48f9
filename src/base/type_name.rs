//! Short type names for actors' classes and for what the library reports.

/// The type's name without its module path: `a::b::Foo<c::Bar>` → `Foo<c::Bar>`.
pub(crate) fn short_type_name<T>() -> &'static str {
    short_name(std::any::type_name::<T>())
}

/// `full` (a `std::any::type_name`) without its module path. A string search: keep it off hot
/// paths (they carry the full name, a constant, and shorten it when they report).
pub(crate) fn short_name(full: &str) -> &str {
    let head_end = full.find('<').unwrap_or(full.len());
    let start = full[..head_end].rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}
