//! `#[pykka::proxy]` on a struct or enum: the proxy type itself, and the accessors of the
//! public fields.

use crate::attrs::{self, ItemOptions, Member};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{parse_quote, Fields, GenericParam, Generics, Ident, Item, Visibility};

/// The name of the proxy type of `ident`.
pub(crate) fn proxy_name(ident: &Ident) -> Ident {
    format_ident!("{}Proxy", ident)
}

/// The generated code's own generic parameter for the actor a proxy lives in: a name no
/// program uses, so that an actor named `A` (or any one-letter name) does not collide with it.
pub(crate) fn actor_param() -> Ident {
    format_ident!("__PykkaActor")
}

/// The actor type's generics with `extra` appended, and with `Self: 'static` (as
/// `ActorProxy` needs) in the where clause.
pub(crate) fn with_param(
    generics: &Generics,
    actor_ty: &TokenStream,
    extra: Option<GenericParam>,
) -> Generics {
    let mut g = generics.clone();
    if let Some(p) = extra {
        g.params.push(p);
    }
    g.make_where_clause()
        .predicates
        .push(parse_quote!(#actor_ty: 'static));
    g
}

/// Lifetime parameters cannot be: an actor lives on another thread, `'static`.
pub(crate) fn reject_lifetimes(generics: &Generics) -> syn::Result<()> {
    match generics.lifetimes().next() {
        None => Ok(()),
        Some(l) => Err(syn::Error::new(
            l.span(),
            "`#[pykka::proxy]` cannot take a type with lifetime parameters: an actor's value \
             lives on another thread and must be `'static`",
        )),
    }
}

pub(crate) fn expand(options: ItemOptions, mut item: Item) -> syn::Result<TokenStream> {
    let (ident, vis, generics, (accessors, errors)) = match &mut item {
        Item::Struct(s) => {
            let (_, args, _) = s.generics.split_for_impl();
            let ident = &s.ident;
            let self_ty: syn::Type = parse_quote!(#ident #args);
            let accessors = field_accessors(&mut s.fields, &self_ty);
            (
                s.ident.clone(),
                s.vis.clone(),
                s.generics.clone(),
                accessors,
            )
        }
        Item::Enum(e) => (
            e.ident.clone(),
            e.vis.clone(),
            e.generics.clone(),
            (quote!(), None),
        ),
        other => {
            return Err(syn::Error::new(
                other.span(),
                "`#[pykka::proxy]` goes on the actor's struct (or enum) and on its impl block",
            ))
        }
    };
    reject_lifetimes(&generics)?;
    let ty = proxy_type(&ident, &vis, &generics, options.traversable);
    let name = proxy_name(&ident);
    let (_, actor_args, _) = generics.split_for_impl();
    let actor_ty = quote!(#ident #actor_args);
    let a = actor_param();
    let imp = with_param(&generics, &actor_ty, Some(parse_quote!(#a: ::pykka::Actor)));
    let (impl_g, proxy_args, where_c) = imp.split_for_impl();
    // Fields that could not be proxied are reported at the field, and the rest is still
    // generated: one mistake gives one error, not one per use of the proxy.
    let errors = errors.map(syn::Error::into_compile_error);
    Ok(quote! {
        #item
        #ty
        #[allow(dead_code)] // generated accessors the program may not use
        impl #impl_g #name #proxy_args #where_c {
            #accessors
        }
        #errors
    })
}

/// The proxy struct and its plumbing: `From<ActorProxy>`, `Deref`, `Clone`, `Eq`, `Hash`,
/// `Debug`, and `Proxied` for the proxied type. A generic actor's proxy is generic over the
/// same parameters, then over the actor it lives in.
fn proxy_type(
    ident: &Ident,
    vis: &Visibility,
    generics: &Generics,
    traversable: bool,
) -> TokenStream {
    let name = proxy_name(ident);
    let a = actor_param();
    let (outer_g, actor_args, _) = generics.split_for_impl();
    let actor_ty = quote!(#ident #actor_args);
    let (decl_param, decl_generics): (GenericParam, Generics) = if traversable {
        // No default for the actor (a traversable value lives in any actor), so none for the
        // parameters before it either (defaults must be trailing).
        let mut g = generics.clone();
        for p in &mut g.params {
            match p {
                GenericParam::Type(t) => {
                    t.eq_token = None;
                    t.default = None;
                }
                GenericParam::Const(c) => {
                    c.eq_token = None;
                    c.default = None;
                }
                GenericParam::Lifetime(_) => {}
            }
        }
        (parse_quote!(#a: ::pykka::Actor), g)
    } else {
        (
            parse_quote!(#a: ::pykka::Actor = #actor_ty),
            generics.clone(),
        )
    };
    let decl = with_param(&decl_generics, &actor_ty, Some(decl_param));
    let decl_params = &decl.params;
    let decl_where = &decl.where_clause;
    let imp = with_param(generics, &actor_ty, Some(parse_quote!(#a: ::pykka::Actor)));
    let (impl_g, proxy_args, where_c) = imp.split_for_impl();
    let outer = with_param(generics, &actor_ty, None);
    let outer_where = &outer.where_clause;
    let proxy_ty = quote!(#name #proxy_args);
    let doc = format!(
        "The typed proxy to a [`{ident}`] inside an actor, generated by `#[pykka::proxy]`: \
         each method runs inside the actor, in mailbox order, and returns a future. \
         Dereferences to `ActorProxy` for `call`, `defer`, `actor_ref` and `stop`."
    );
    quote! {
        #[doc = #doc]
        #vis struct #name<#decl_params>(::pykka::ActorProxy<#a, #actor_ty>) #decl_where;

        impl #impl_g ::core::convert::From<::pykka::ActorProxy<#a, #actor_ty>> for #proxy_ty #where_c {
            fn from(proxy: ::pykka::ActorProxy<#a, #actor_ty>) -> Self {
                #name(proxy)
            }
        }

        impl #impl_g ::core::ops::Deref for #proxy_ty #where_c {
            type Target = ::pykka::ActorProxy<#a, #actor_ty>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        impl #impl_g ::core::clone::Clone for #proxy_ty #where_c {
            fn clone(&self) -> Self {
                #name(::core::clone::Clone::clone(&self.0))
            }
        }

        impl #impl_g ::core::cmp::PartialEq for #proxy_ty #where_c {
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }

        impl #impl_g ::core::cmp::Eq for #proxy_ty #where_c {}

        impl #impl_g ::core::hash::Hash for #proxy_ty #where_c {
            fn hash<__PykkaHasher: ::core::hash::Hasher>(&self, state: &mut __PykkaHasher) {
                ::core::hash::Hash::hash(&self.0, state)
            }
        }

        impl #impl_g ::core::fmt::Debug for #proxy_ty #where_c {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl #outer_g ::pykka::Proxied for #actor_ty #outer_where {
            type Proxy<#a: ::pykka::Actor> = #proxy_ty;
        }
    }
}

/// For each public named field: a getter returning a future of a clone and a setter returning
/// a future of `()`, or a nested proxy for a field marked `#[proxy(traversable)]`.
fn field_accessors(fields: &mut Fields, self_ty: &syn::Type) -> (TokenStream, Option<syn::Error>) {
    let mut out = TokenStream::new();
    let mut errors: Option<syn::Error> = None;
    for field in fields.iter_mut() {
        let member = match attrs::take_member(&mut field.attrs) {
            Ok(m) => m,
            Err(e) => {
                push_error(&mut errors, e);
                continue;
            }
        };
        let Some(ident) = field.ident.clone() else {
            continue; // tuple fields have no name to give a method
        };
        if matches!(field.vis, Visibility::Inherited) || member == Member::Skip {
            continue;
        }
        let vis = &field.vis;
        // `Self` in the field's type is the actor's type, not the proxy's.
        let ty = crate::proxy_methods::replace_self(field.ty.to_token_stream(), self_ty);
        let ty = &ty;
        let name = ident.to_string();
        let docs = attrs::docs(&field.attrs);
        if member == Member::Traversable {
            out.extend(quote_spanned! {ty.span()=>
                #(#docs)*
                #[doc = ""]
                #[doc = concat!("A proxy to the traversable field `", #name, "`: its calls run inside the actor.")]
                #vis fn #ident(&self) -> <#ty as ::pykka::Proxied>::Proxy<__PykkaActor> {
                    ::core::convert::From::from(self.0.traverse(#name, |__pykka_value| &mut __pykka_value.#ident))
                }
            });
        } else {
            let setter = format_ident!("set_{}", ident);
            let setter_defer = format_ident!("set_{}_defer", ident);
            out.extend(quote_spanned! {ty.span()=>
                #[doc = concat!("Reads the field `", #name, "` inside the actor (a clone of it), in mailbox order.")]
                #vis fn #ident(&self) -> ::pykka::Future<#ty> {
                    self.0.call(|__pykka_value| ::pykka::__private::ProxiedField::clone_field(&__pykka_value.#ident))
                }

                #[doc = concat!("Writes the field `", #name, "` inside the actor, in mailbox order (Pykka's attribute write; `.get()` to wait for it).")]
                #vis fn #setter(&self, value: #ty) -> ::pykka::Future<()> {
                    self.0.call(move |__pykka_value| __pykka_value.#ident = value)
                }

                #[doc = concat!("Writes the field `", #name, "` inside the actor, told: nothing comes back. `Err` if the actor is dead.")]
                #vis fn #setter_defer(&self, value: #ty) -> ::core::result::Result<(), ::pykka::ActorDeadError> {
                    self.0.defer(move |__pykka_value| __pykka_value.#ident = value)
                }
            });
        }
    }
    (out, errors)
}

pub(crate) fn push_error(errors: &mut Option<syn::Error>, e: syn::Error) {
    match errors {
        Some(first) => first.combine(e),
        None => *errors = Some(e),
    }
}
