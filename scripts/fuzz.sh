#!/usr/bin/env bash
echo "fuzz not built yet"
