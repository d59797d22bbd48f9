//! `#[pykka::proxy]` on an inherent impl block: one proxy method per public method, returning
//! a future, plus its deferred (`tell`) form.

use crate::attrs::{self, Member};
use crate::proxy_type::{actor_param, proxy_name, push_error, with_param};
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{
    parse_quote, FnArg, GenericArgument, ImplItem, ImplItemFn, ItemImpl, Pat, PathArguments,
    ReturnType, Type, TypePath, Visibility,
};

pub(crate) fn expand(mut item: ItemImpl) -> syn::Result<TokenStream> {
    if let Some((_, path, _)) = &item.trait_ {
        return Err(syn::Error::new(
            path.span(),
            "`#[pykka::proxy]` goes on the actor's own (inherent) impl block, not on a trait impl",
        ));
    }
    crate::proxy_type::reject_lifetimes(&item.generics)?;
    let self_ty = (*item.self_ty).clone();
    // Checked before anything is generated: the proxy type's name comes from it.
    proxy_path(&self_ty, &quote!(_))?;

    let mut generic = TokenStream::new(); // methods for any actor A
    let mut fixed: Vec<(TokenStream, TokenStream)> = Vec::new(); // (actor type, methods)
    let mut errors: Option<syn::Error> = None;
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let member = match attrs::take_member(&mut method.attrs) {
            Ok(m) => m,
            Err(e) => {
                push_error(&mut errors, e);
                continue;
            }
        };
        if matches!(method.vis, Visibility::Inherited) || member == Member::Skip {
            continue;
        }
        if member == Member::Traversable {
            push_error(
                &mut errors,
                syn::Error::new(
                    method.sig.ident.span(),
                    "`#[proxy(traversable)]` marks a field; a method is proxied as it is",
                ),
            );
            continue;
        }
        match proxy_method(method, &self_ty) {
            Ok(None) => {}
            Ok(Some(Generated {
                tokens,
                context_actor: None,
            })) => generic.extend(tokens),
            Ok(Some(Generated {
                tokens,
                context_actor: Some(actor),
            })) => fixed.push((actor, tokens)),
            Err(e) => push_error(&mut errors, e),
        }
    }
    let actor_ty = self_ty.to_token_stream();
    let a = actor_param();
    let imp = with_param(
        &item.generics,
        &actor_ty,
        Some(parse_quote!(#a: ::pykka::Actor)),
    );
    let (impl_g, _, where_c) = imp.split_for_impl();
    let generic_proxy = proxy_path(&self_ty, &a.to_token_stream())?;
    let outer = with_param(&item.generics, &actor_ty, None);
    let (outer_g, _, outer_where) = outer.split_for_impl();
    let fixed = fixed
        .into_iter()
        .map(|(actor, tokens)| {
            let proxy = proxy_path(&self_ty, &actor)?;
            Ok(quote! {
                #[allow(dead_code)] // generated methods the program may not use
                impl #outer_g #proxy #outer_where { #tokens }
            })
        })
        .collect::<syn::Result<Vec<_>>>()?;
    // Methods that could not be proxied are reported at the method, and the block and the
    // other methods are still generated: one mistake gives one error, not one per use.
    let errors = errors.map(syn::Error::into_compile_error);
    Ok(quote! {
        #item
        #[allow(dead_code)] // generated methods the program may not use
        impl #impl_g #generic_proxy #where_c { #generic }
        #(#fixed)*
        #errors
    })
}

/// The proxy type of the impl's self type inside the actor `actor`: `Proxy` added to the last
/// segment's name, and `actor` after its generic arguments (`Producer<C>` gives
/// `ProducerProxy<C, actor>`).
fn proxy_path(self_ty: &Type, actor: &TokenStream) -> syn::Result<TokenStream> {
    let Type::Path(TypePath { qself: None, path }) = self_ty else {
        return Err(syn::Error::new(
            self_ty.span(),
            "`#[pykka::proxy]` goes on `impl MyActor { .. }`, for a named type",
        ));
    };
    let mut path = path.clone();
    let last = path.segments.last_mut().expect("a path has a segment");
    last.ident = proxy_name(&last.ident);
    let actor: GenericArgument = syn::parse2(actor.clone())?;
    match &mut last.arguments {
        PathArguments::None => {
            last.arguments = PathArguments::AngleBracketed(parse_quote!(<#actor>))
        }
        PathArguments::AngleBracketed(args) => args.args.push(actor),
        PathArguments::Parenthesized(p) => {
            return Err(syn::Error::new(
                p.span(),
                "`#[pykka::proxy]` goes on `impl MyActor { .. }`, for a named type",
            ))
        }
    }
    Ok(path.into_token_stream())
}

struct Generated {
    tokens: TokenStream,
    /// The actor type named by a `Context<..>` parameter: such a method exists only on the
    /// proxy of a value inside that actor.
    context_actor: Option<TokenStream>,
}

fn proxy_method(method: &ImplItemFn, self_ty: &Type) -> syn::Result<Option<Generated>> {
    let sig = &method.sig;
    let name = &sig.ident;
    let Some(FnArg::Receiver(receiver)) = sig.inputs.first() else {
        return Ok(None); // an associated function (a constructor): nothing to proxy
    };
    if !matches!(*receiver.ty, Type::Reference(_)) {
        return Err(syn::Error::new(
            receiver.span(),
            format!(
                "`{name}` takes `self` by value and cannot be proxied: the actor stays inside \
                 its mailbox, so a proxied method takes `&self` or `&mut self` (or mark it \
                 `#[proxy(skip)]`)"
            ),
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            sig.generics.span(),
            format!(
                "`{name}` is generic and cannot be proxied: the proxy must name every type it \
                 sends to the actor (make it non-generic or private, or mark it \
                 `#[proxy(skip)]`)"
            ),
        ));
    }
    let is_async = sig.asyncness.is_some();
    if let Some(unsafety) = sig.unsafety {
        return Err(syn::Error::new(
            unsafety.span(),
            format!("`{name}` is unsafe and cannot be proxied: the proxy would hide its contract"),
        ));
    }

    let mut params = Vec::new(); // (ident, type) the proxy method takes
    let mut call_args = Vec::new(); // what the actor's method is called with
    let mut context_actor = None;
    for (i, input) in sig.inputs.iter().skip(1).enumerate() {
        let FnArg::Typed(arg) = input else {
            continue;
        };
        if let Some(actor) = context_param(&arg.ty, self_ty) {
            if context_actor.is_some() {
                return Err(syn::Error::new(
                    arg.ty.span(),
                    "more than one `Context` parameter",
                ));
            }
            context_actor = Some(actor);
            call_args.push(quote!(__pykka_ctx));
            continue;
        }
        check_owned(&arg.ty, "an argument")?;
        let ident = match &*arg.pat {
            Pat::Ident(p) if p.subpat.is_none() => p.ident.clone(),
            _ => format_ident!("arg{}", i),
        };
        let ty = replace_self(arg.ty.to_token_stream(), self_ty);
        params.push((ident.clone(), ty, arg.ty.span()));
        call_args.push(ident.into_token_stream());
    }
    let ret = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => {
            check_owned(ty, "the return type")?;
            replace_self(ty.to_token_stream(), self_ty)
        }
    };
    let ret_span = sig.output.span();

    let vis = &method.vis;
    let docs = attrs::docs(&method.attrs);
    let deferred = format_ident!("{}_defer", name);
    let method_name = name.to_string();
    let param_decls = params.iter().map(|(i, t, _)| quote!(#i: #t));
    let param_decls2 = param_decls.clone();
    let send_checks = params.iter().map(|(_, t, span)| {
        quote_spanned! {*span=> ::pykka::__private::assert_send::<#t>(); }
    });
    let send_checks2 = send_checks.clone();
    let ret_check = quote_spanned! {ret_span=> ::pykka::__private::assert_send::<#ret>(); };
    let (call, defer, closure_params) = match (context_actor.is_some(), is_async) {
        (true, false) => (
            quote!(call_with_context),
            quote!(defer_with_context),
            quote!(|__pykka_value, __pykka_ctx|),
        ),
        (false, false) => (quote!(call), quote!(defer), quote!(|__pykka_value|)),
        (true, true) => (
            quote!(call_async_with_context),
            quote!(defer_async_with_context),
            quote!(|__pykka_value, __pykka_ctx|),
        ),
        (false, true) => (
            quote!(call_async),
            quote!(defer_async),
            quote!(|__pykka_value|),
        ),
    };
    // An `async fn` is polled inside the actor, which handles nothing else meanwhile and holds
    // no thread while it waits (`ActorProxy::call_async`).
    let (call_body, defer_body) = if is_async {
        (
            quote!(::std::boxed::Box::pin(__pykka_value.#name(#(#call_args),*))),
            quote!(::std::boxed::Box::pin(async move { let _ = __pykka_value.#name(#(#call_args),*).await; })),
        )
    } else {
        (
            quote!(__pykka_value.#name(#(#call_args),*)),
            quote!({ let _ = __pykka_value.#name(#(#call_args),*); }),
        )
    };
    // The method's own where clause (a bound on the impl's parameters, say), `Self` made the
    // actor's type.
    let where_clause = sig
        .generics
        .where_clause
        .as_ref()
        .map(|w| replace_self(w.to_token_stream(), self_ty));
    let tokens = quote! {
        #(#docs)*
        #[doc = ""]
        #[doc = concat!("Proxied: runs `", #method_name, "` inside the actor, after the calls already queued, and returns its value through a future (a panic fails the future; the actor lives on).")]
        #vis fn #name(&self, #(#param_decls),*) -> ::pykka::Future<#ret> #where_clause {
            #(#send_checks)*
            #ret_check
            self.0.#call(move #closure_params #call_body)
        }

        #[doc = concat!("Deferred `", #method_name, "`: runs it inside the actor with tell semantics (nothing comes back; a panic stops the actor and runs `on_failure`). `Err` if the actor is dead.")]
        #vis fn #deferred(&self, #(#param_decls2),*) -> ::core::result::Result<(), ::pykka::ActorDeadError> #where_clause {
            #(#send_checks2)*
            self.0.#defer(move #closure_params #defer_body)
        }
    };
    Ok(Some(Generated {
        tokens,
        context_actor,
    }))
}

/// `&mut Context<X>` / `&Context<X>`: the actor type `X` (`Self` is the impl's type).
fn context_param(ty: &Type, self_ty: &Type) -> Option<TokenStream> {
    let Type::Reference(r) = ty else { return None };
    let Type::Path(p) = &*r.elem else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Context" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(actor) => Some(replace_self(actor.to_token_stream(), self_ty)),
        _ => None,
    }
}

/// Rejects borrowed and `impl Trait` types: a proxied call runs later, on another thread.
fn check_owned(ty: &Type, what: &str) -> syn::Result<()> {
    let borrowed = |span| {
        Err(syn::Error::new(
            span,
            format!(
                "{what} of a proxied method must be owned (`'static`): the call runs later, \
                 inside the actor, on another thread; pass an owned value (`String` for \
                 `&str`, `Vec<T>` for `&[T]`) or mark the method `#[proxy(skip)]`"
            ),
        ))
    };
    match ty {
        Type::Reference(r) => match &r.lifetime {
            Some(l) if l.ident == "static" => check_owned(&r.elem, what),
            _ => borrowed(ty.span()),
        },
        Type::ImplTrait(_) => Err(syn::Error::new(
            ty.span(),
            format!("{what} of a proxied method cannot be `impl Trait`: name the type"),
        )),
        Type::Path(p) => {
            if let Some(q) = &p.qself {
                check_owned(&q.ty, what)?;
            }
            for seg in &p.path.segments {
                if let PathArguments::AngleBracketed(args) = &seg.arguments {
                    for arg in &args.args {
                        match arg {
                            GenericArgument::Type(t) => check_owned(t, what)?,
                            GenericArgument::Lifetime(l) if l.ident != "static" => {
                                return borrowed(l.span())
                            }
                            _ => {}
                        }
                    }
                }
            }
            Ok(())
        }
        Type::Tuple(t) => t.elems.iter().try_for_each(|t| check_owned(t, what)),
        Type::Array(a) => check_owned(&a.elem, what),
        Type::Slice(s) => check_owned(&s.elem, what),
        Type::Paren(p) => check_owned(&p.elem, what),
        Type::Group(g) => check_owned(&g.elem, what),
        _ => Ok(()),
    }
}

/// `Self` inside the proxy's impl would mean the proxy: replace it with the actor's type.
pub(crate) fn replace_self(tokens: TokenStream, self_ty: &Type) -> TokenStream {
    tokens
        .into_iter()
        .map(|tt| match tt {
            TokenTree::Ident(i) if i == "Self" => {
                let mut t = self_ty.to_token_stream();
                t = t
                    .into_iter()
                    .map(|mut x| {
                        x.set_span(i.span());
                        x
                    })
                    .collect();
                quote!(#t)
            }
            TokenTree::Group(g) => {
                let mut n = Group::new(g.delimiter(), replace_self(g.stream(), self_ty));
                n.set_span(g.span());
                TokenTree::Group(n).into_token_stream()
            }
            other => other.into_token_stream(),
        })
        .collect()
}
