#!/bin/sh
# `make run`: create the demo database on first start (printing the admin's one-time password), then serve.
set -eu
ZHIBU=./build/zhibu
DB=${ZHIBU_DB:-data/zhibu.db}
case "$DB" in
postgres://* | postgresql://*) initialised=0 ;;
*) [ -f "$DB" ] && initialised=1 || initialised=0 ;;
esac
if [ "$initialised" = 0 ]; then
	$ZHIBU init --demo
	echo "请用上面的用户名和一次性密码登录；首次登录须修改密码。"
fi
exec $ZHIBU serve
