/* The cost of the system calls a signal's path might make, on this machine: FUTEX_WAKE with
 * 0, 1 or 2 threads asleep on the word (each on an idle CPU), write(2) of one report line to
 * /dev/null and to a pipe, timerfd_settime(2), getpid(2). 300 samples each, 3 ms apart.
 *
 *   gcc -O2 -o /tmp/syscalls bench/micro/syscalls.c -lpthread
 *   for n in 0 1 2; do /tmp/syscalls $n; done
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <fcntl.h>
#include <stdatomic.h>
static atomic_uint word;
static uint64_t now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000000000ull+t.tv_nsec;}
static void* waiter(void*a){ for(;;){ unsigned v=atomic_load(&word); syscall(SYS_futex,&word,FUTEX_WAIT_PRIVATE,v,NULL);} return 0;}
int cmp(const void*a,const void*b){uint64_t x=*(uint64_t*)a,y=*(uint64_t*)b;return x<y?-1:x>y;}
void report(const char*n,uint64_t*s,int k){qsort(s,k,8,cmp);printf("%-28s p50 %6.2f us  p90 %6.2f us\n",n,s[k/2]/1000.0,s[k*9/10]/1000.0);}
int main(int argc,char**argv){
  int nw=atoi(argv[1]); int K=300; uint64_t s[300];
  for(int i=0;i<nw;i++){pthread_t t;pthread_create(&t,0,waiter,0);}
  usleep(100000);
  for(int i=0;i<K;i++){ usleep(3000); uint64_t a=now(); atomic_fetch_add(&word,1); syscall(SYS_futex,&word,FUTEX_WAKE_PRIVATE,0x7fffffff); s[i]=now()-a;}
  char name[64]; sprintf(name,"FUTEX_WAKE, %d sleeping",nw); report(name,s,K);
  int fd=open("/dev/null",O_WRONLY);
  for(int i=0;i<K;i++){ usleep(3000); uint64_t a=now(); write(fd,"graceful: SIGTERM received: stopping (main gets 5s, all 10s)\n",62); s[i]=now()-a;}
  report("write 62B /dev/null",s,K);
  int p[2]; pipe(p);
  for(int i=0;i<K;i++){ usleep(3000); char b[64]; uint64_t a=now(); write(p[1],"graceful: SIGTERM received: stopping (main gets 5s, all 10s)\n",62); s[i]=now()-a; read(p[0],b,64);}
  report("write 62B pipe",s,K);
  int tf=timerfd_create(CLOCK_MONOTONIC,TFD_NONBLOCK);
  struct itimerspec its={{0,0},{0,1000000}};
  for(int i=0;i<K;i++){ usleep(3000); uint64_t a=now(); timerfd_settime(tf,0,&its,0); s[i]=now()-a;}
  report("timerfd_settime",s,K);
  for(int i=0;i<K;i++){ usleep(3000); uint64_t a=now(); syscall(SYS_getpid); s[i]=now()-a;}
  report("getpid syscall",s,K);
}
