#!/bin/sh
# Container entrypoint: writes config.js from SHOP_PRODUCT_API and SHOP_ORDER_API, exports the CSP origins
# derived from them, then runs its arguments (in the image: the nginx image's own entrypoint, which renders
# the config templates with these variables, then nginx). One image serves every environment.
set -eu

fail() {
    printf '%s\n' "shop-entrypoint: $1" >&2
    exit 64
}

# Prints the origin (scheme://host[:port]) of an http(s) URL, or fails naming the variable.
origin_of() {
    name=$1
    value=$2
    case $value in
        http://* | https://*) ;;
        *) fail "$name must be an absolute http(s) URL, got '$value'" ;;
    esac
    # No quotes, backslashes, spaces or '$': the value goes into config.js and the nginx CSP header.
    case $value in
        *[!]A-Za-z0-9._~:/?#@!\&\(\)*+,\;=%[-]*) fail "$name contains characters not allowed here: '$value'" ;;
    esac
    rest=${value#*://}
    host=${rest%%[/?#]*}
    case $host in
        '' | *[!]A-Za-z0-9.:[-]*) fail "$name needs a plain host[:port] after the scheme: '$value'" ;;
    esac
    printf '%s://%s' "${value%%://*}" "$host"
}

: "${SHOP_PRODUCT_API:?set SHOP_PRODUCT_API to the product service base URL, e.g. https://api.example.com/product}"
: "${SHOP_ORDER_API:?set SHOP_ORDER_API to the order service base URL, e.g. https://api.example.com/order}"
product_origin=$(origin_of SHOP_PRODUCT_API "$SHOP_PRODUCT_API")
order_origin=$(origin_of SHOP_ORDER_API "$SHOP_ORDER_API")
[ "$#" -gt 0 ] || fail "no command to run after writing the configuration"

SHOP_CONFIG_DIR=${SHOP_CONFIG_DIR:-/tmp/shop-config}
mkdir -p "$SHOP_CONFIG_DIR"
# The URLs passed the character check above, so they hold no quote or backslash that would need escaping.
printf 'window.__SHOP_CONFIG__ = {"productApi":"%s","orderApi":"%s"};\n' \
    "${SHOP_PRODUCT_API%/}" "${SHOP_ORDER_API%/}" >"$SHOP_CONFIG_DIR/config.js"

if [ "$product_origin" = "$order_origin" ]; then
    SHOP_CSP_CONNECT_SRC=$product_origin
else
    SHOP_CSP_CONNECT_SRC="$product_origin $order_origin"
fi
SHOP_CSP_IMG_SRC=$product_origin
NGINX_PORT=${NGINX_PORT:-8080}
export SHOP_CONFIG_DIR SHOP_CSP_CONNECT_SRC SHOP_CSP_IMG_SRC NGINX_PORT

exec "$@"
