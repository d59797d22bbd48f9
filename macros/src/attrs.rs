//! The `#[proxy(...)]` options: on the item itself, and on fields and methods.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Token};

/// Options given to `#[pykka::proxy(...)]` on a struct, enum or impl block.
#[derive(Default)]
pub(crate) struct ItemOptions {
    /// `traversable`: the type is reached inside another actor, so its proxy has no default
    /// actor type.
    pub(crate) traversable: bool,
}

impl Parse for ItemOptions {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut options = ItemOptions::default();
        for word in Punctuated::<Ident, Token![,]>::parse_terminated(input)? {
            match word.to_string().as_str() {
                "traversable" => options.traversable = true,
                _ => {
                    return Err(syn::Error::new(
                        word.span(),
                        "unknown option: `#[pykka::proxy]` takes nothing, or `traversable` for \
                         a type that lives inside an actor",
                    ))
                }
            }
        }
        Ok(options)
    }
}

/// What `#[proxy(...)]` says of one field or method.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    /// Not marked.
    Plain,
    /// `#[proxy(skip)]`: not on the proxy.
    Skip,
    /// `#[proxy(traversable)]`: a nested proxy (fields only).
    Traversable,
}

/// Reads and removes the `#[proxy(...)]` attributes of a field or method.
pub(crate) fn take_member(attrs: &mut Vec<Attribute>) -> syn::Result<Member> {
    let mut member = Member::Plain;
    let mut error: Option<syn::Error> = None;
    attrs.retain(|attr| {
        if !attr.path().is_ident("proxy") {
            return true;
        }
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                member = Member::Skip;
                Ok(())
            } else if meta.path.is_ident("traversable") {
                member = Member::Traversable;
                Ok(())
            } else {
                Err(meta.error("unknown option: use `#[proxy(skip)]` or `#[proxy(traversable)]`"))
            }
        });
        if let Err(e) = parsed {
            match &mut error {
                Some(first) => first.combine(e),
                None => error = Some(e),
            }
        }
        false
    });
    match error {
        Some(e) => Err(e),
        None => Ok(member),
    }
}

/// The `#[doc]` attributes, to carry an item's documentation over to its proxy method.
pub(crate) fn docs(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("doc")).collect()
}
